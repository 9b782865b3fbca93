// SPDX-License-Identifier: Apache-2.0

/// Cuts a syslog TCP stream into messages (RFC 6587): octet counting (`LEN SP MSG`) when a frame
/// starts with a digit, otherwise non-transparent framing ended by LF (a NUL or CR LF also ends a
/// message).
///
/// A frame longer than ``maxMessageBytes`` is a framing error: the sender is broken or hostile,
/// and the connection should be closed.
public struct SyslogFramer: Sendable {
    /// The largest message accepted.
    public let maxMessageBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0

    /// Creates a framer.
    public init(maxMessageBytes: Int = 64 * 1024) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Adds received bytes and returns every message now complete (without its framing).
    ///
    /// - Throws: ``SourceError`` when a frame is malformed or too large.
    public mutating func append(_ bytes: some Sequence<UInt8>) throws(SourceError) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var messages: [[UInt8]] = []
        while let message = try nextMessage() {
            if !message.isEmpty {
                messages.append(message)
            }
        }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        return messages
    }

    /// What is left when the peer closes: a last message without its trailing newline.
    public mutating func finish() -> [UInt8]? {
        let rest = Array(buffer[start...])
        buffer = []
        start = 0
        let trimmed = rest.last == UInt8(ascii: "\r") ? Array(rest.dropLast()) : rest
        return trimmed.isEmpty ? nil : trimmed
    }

    private mutating func nextMessage() throws(SourceError) -> [UInt8]? {
        guard start < buffer.count else {
            return nil
        }
        if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(buffer[start]) {
            return try octetCounted()
        }
        guard let end = buffer[start...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == 0 }) else {
            if buffer.count - start > maxMessageBytes {
                throw SourceError(
                    offset: start,
                    message: "a message exceeds \(maxMessageBytes) bytes without a newline"
                )
            }
            return nil
        }
        var message = buffer[start..<end]
        if message.last == UInt8(ascii: "\r") {
            message = message.dropLast()
        }
        start = end + 1
        return Array(message)
    }

    private mutating func octetCounted() throws(SourceError) -> [UInt8]? {
        var index = start
        var length = 0
        while index < buffer.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buffer[index]) {
            length = length * 10 + Int(buffer[index] - UInt8(ascii: "0"))
            if length > maxMessageBytes {
                throw SourceError(offset: start, message: "an octet count exceeds \(maxMessageBytes) bytes")
            }
            index += 1
        }
        guard index < buffer.count else {
            return nil
        }
        guard buffer[index] == UInt8(ascii: " ") else {
            throw SourceError(offset: index, message: "an octet count must be followed by a space (RFC 6587)")
        }
        guard buffer.count - index - 1 >= length else {
            return nil
        }
        var message = buffer[(index + 1)..<(index + 1 + length)]
        while let last = message.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            message = message.dropLast()
        }
        start = index + 1 + length
        return Array(message)
    }
}
