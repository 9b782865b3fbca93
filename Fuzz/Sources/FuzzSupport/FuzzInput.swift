// SPDX-License-Identifier: Apache-2.0

/// One libFuzzer input: its bytes, with the few ways the targets cut them into parts.
public struct FuzzInput {
    /// The input's bytes.
    public let bytes: [UInt8]

    /// Copies the `size` bytes at `data` (libFuzzer's arguments).
    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The first byte (a selector: mode, format) and the rest; 0 and nothing for an empty input.
    public var selectorAndRest: (selector: UInt8, rest: [UInt8]) {
        guard let first = bytes.first else {
            return (0, [])
        }
        return (first, Array(bytes.dropFirst()))
    }

    /// The parts between `separator` bytes, empty parts included.
    public func parts(separatedBy separator: UInt8) -> [[UInt8]] {
        bytes.split(separator: separator, omittingEmptySubsequences: false).map { Array($0) }
    }
}
