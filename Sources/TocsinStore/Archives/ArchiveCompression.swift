// SPDX-License-Identifier: Apache-2.0

import CZlib

/// zlib compression of one archive block on the system zlib.
enum ArchiveCompression {
    /// `bytes` compressed as one zlib stream.
    ///
    /// - Throws: ``StoreError`` when zlib fails (out of memory).
    static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &capacity, source.baseAddress, uLong(source.count), 6)
            }
        }
        guard status == Z_OK else {
            throw StoreError(code: .archive, message: "zlib could not compress an archive block (status \(status))")
        }
        output.removeLast(output.count - Int(capacity))
        return output
    }

    /// Decompresses a block that holds exactly `rawLength` bytes, or `nil` when the stream is
    /// invalid, truncated, fails its checksum or has another length.
    static func decompress(_ bytes: [UInt8], rawLength: Int) -> [UInt8]? {
        guard rawLength >= 0 else {
            return nil
        }
        var length = uLong(rawLength)
        var output = [UInt8](repeating: 0, count: max(rawLength, 1))
        let status = output.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                uncompress(target.baseAddress, &length, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK, Int(length) == rawLength else {
            return nil
        }
        output.removeLast(output.count - rawLength)
        return output
    }
}
