// SPDX-License-Identifier: Apache-2.0

/// The lines of a body, read from memory or inflated on the fly, each at most `maxBytes` long
/// (a longer line is skipped without being held, and reported).
///
/// Blank lines (only spaces and tabs) are skipped; a line's `\r` before its `\n` is removed.
struct BodyLines {
    /// One line, or the report of a line that was too long to read.
    enum Line {
        case text(ArraySlice<UInt8>, number: Int)
        case tooLong(bytes: Int, number: Int)

        /// The line's number in the body.
        var number: Int {
            switch self {
            case .text(_, let number), .tooLong(_, let number): number
            }
        }
    }

    private enum Origin {
        case memory([UInt8])
        case inflating(GzipInflater)
    }

    private let origin: Origin
    private let maxBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var isAtEnd = false
    private var number: Int

    /// Lines of `bytes`, numbered from `firstLine`.
    init(bytes: [UInt8], firstLine: Int, maxBytes: Int) {
        origin = .memory(bytes)
        buffer = bytes
        isAtEnd = true
        self.maxBytes = maxBytes
        number = firstLine - 1
    }

    /// Lines of what `inflater` gives, numbered from `firstLine`.
    init(inflating inflater: GzipInflater, firstLine: Int, maxBytes: Int) {
        origin = .inflating(inflater)
        self.maxBytes = maxBytes
        number = firstLine - 1
    }

    /// The next non-blank line, or `nil` at the end.
    ///
    /// - Throws: ``SourceError`` when inflating fails.
    mutating func next() throws(SourceError) -> Line? {
        while true {
            guard let (range, length) = try nextRange() else {
                return nil
            }
            number += 1
            guard let range else {
                return .tooLong(bytes: length, number: number)
            }
            var line = buffer[range]
            if line.last == UInt8(ascii: "\r") {
                line = line.dropLast()
            }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                continue
            }
            return .text(line, number: number)
        }
    }

    /// The range of the next line in `buffer` (`nil` with its length when it was too long).
    private mutating func nextRange() throws(SourceError) -> (Range<Int>?, Int)? {
        var skipped = 0
        while true {
            let end = Self.lineEnd(in: buffer, from: start)
            if end < buffer.count || (isAtEnd && start < buffer.count) {
                let range = start..<end
                start = min(end + 1, buffer.count)
                if skipped > 0 || range.count > maxBytes {
                    return (nil, skipped + range.count)
                }
                return (range, range.count)
            }
            if isAtEnd {
                guard skipped > 0 else {
                    return nil
                }
                return (nil, skipped)
            }
            guard case .inflating(let inflater) = origin else {
                isAtEnd = true
                continue
            }
            // The line goes on past the buffer: keep its start (or drop it when already too long).
            if buffer.count - start > maxBytes {
                skipped += buffer.count - start
                buffer.removeAll(keepingCapacity: true)
            } else {
                buffer.removeSubrange(0..<start)
            }
            start = 0
            if let piece = try inflater.next() {
                buffer.append(contentsOf: piece)
            } else {
                isAtEnd = true
            }
        }
    }

    /// The index of the first `\n` at or after `start` (or the end), eight bytes at a time.
    static func lineEnd(in body: [UInt8], from start: Int) -> Int {
        body.withUnsafeBytes { bytes in
            var index = start
            while index + 8 <= bytes.count,
                !ByteScan.contains(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self), UInt8(ascii: "\n"))
            {
                index += 8
            }
            while index < bytes.count, bytes[index] != UInt8(ascii: "\n") {
                index += 1
            }
            return index
        }
    }
}

/// Counts a body's non-blank lines and finds its first non-space byte, a piece at a time, without
/// holding the body.
struct LineCounter {
    /// Non-blank lines so far.
    private(set) var lines = 0
    /// The first byte that is not JSON whitespace, once seen.
    private(set) var firstByte: UInt8?
    private var lineHasContent = false

    mutating func feed(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { feed(raw: $0) }
    }

    mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed(raw: $0) }
    }

    /// Once a line has content, the rest of it is skipped eight bytes at a time.
    private mutating func feed(raw bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index < bytes.count {
            if lineHasContent {
                while index + 8 <= bytes.count,
                    !ByteScan.contains(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self), UInt8(ascii: "\n"))
                {
                    index += 8
                }
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") {
                    index += 1
                }
                if index < bytes.count {
                    lines += 1
                    lineHasContent = false
                    index += 1
                }
                continue
            }
            let byte = bytes[index]
            index += 1
            if byte != UInt8(ascii: "\n") && byte != 0x20 && byte != 0x09 && byte != 0x0D {
                lineHasContent = true
                if firstByte == nil {
                    firstByte = byte
                }
            }
        }
    }

    /// Counts a last line without a newline.
    mutating func finish() {
        if lineHasContent {
            lines += 1
            lineHasContent = false
        }
    }
}
