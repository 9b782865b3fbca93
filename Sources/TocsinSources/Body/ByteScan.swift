// SPDX-License-Identifier: Apache-2.0

/// Byte tests shared by the body scanners.
enum ByteScan {
    /// JSON whitespace: space, tab, line feed, carriage return.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Whether any of the eight bytes of `word` is `byte` (the classic has-zero-byte test on
    /// `word ^ byte…byte`), so a scan can skip eight bytes at a time.
    @inline(__always)
    static func contains(_ word: UInt64, _ byte: UInt8) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let difference = word ^ (ones &* UInt64(byte))
        return (difference &- ones) & ~difference & (ones &* 0x80) != 0
    }
}
