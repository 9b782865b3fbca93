// SPDX-License-Identifier: Apache-2.0

#if NATS
internal import CNats

extension NATSConnection {
    /// The newest message of `stream` on `subject`, read from the stream leader (not a direct get, which a
    /// follower a moment behind could answer), or `nil` when there is none.
    ///
    /// - Throws: ``NATSError``; ``NATSError/Code/unavailable`` while the stream has no leader.
    public func lastMessage(stream: String, subject: String) async throws -> NATSStoredMessage? {
        try await leaderRead("read the last message of stream \(stream)") { jetStream, message, error in
            js_GetLastMsg(&message, jetStream, stream, subject, nil, &error)
        }
    }

    /// The message at `sequence`, read from the stream leader (not a direct get, which a follower a
    /// moment behind could answer "not found"), or `nil` when there is none.
    ///
    /// - Throws: ``NATSError``; ``NATSError/Code/unavailable`` while the stream has no leader.
    public func leaderMessage(stream: String, sequence: UInt64) async throws -> NATSStoredMessage? {
        try await leaderRead("read message \(sequence) of stream \(stream)") { jetStream, message, error in
            js_GetMsg(&message, jetStream, stream, sequence, nil, &error)
        }
    }

    /// Runs a read the stream leader answers (`js_GetMsg`, `js_GetLastMsg`): the stored message, or
    /// `nil` when there is none.
    private func leaderRead(
        _ operation: String,
        _ get: @escaping @Sendable (OpaquePointer, inout OpaquePointer?, inout jsErrCode) -> natsStatus
    ) async throws -> NATSStoredMessage? {
        try await blocking { jetStream in
            var message: OpaquePointer?
            var error = jsErrCode(rawValue: 0)
            let status = get(jetStream, &message, &error)
            // 10037: no message found.
            if status == NATS_NOT_FOUND || error.rawValue == 10037 {
                return nil
            }
            try NATSError.check(status, jsError: error, operation: operation)
            defer { natsMsg_Destroy(message) }
            return NATSStoredMessage(try required(message, operation))
        }
    }

    /// Removes the message at `sequence` from `stream` (an operator's step; the chain halts at a removed
    /// message it has not linked yet, and verification reports one it has).
    ///
    /// - Throws: ``NATSError/Code/notFound`` when there is no such message.
    public func deleteMessage(stream: String, sequence: UInt64) async throws {
        try await blocking { jetStream in
            var error = jsErrCode(rawValue: 0)
            try NATSError.check(
                js_DeleteMsg(jetStream, stream, sequence, nil, &error),
                jsError: error,
                operation: "delete message \(sequence) of stream \(stream)"
            )
        }
    }

    /// Up to `limit` messages of `stream` from sequence `first` on, in order, by direct gets on the
    /// connection's threads.
    ///
    /// Each read asks for the next message at or after the sequence that follows the previous one, so a
    /// hole in the stream shows as a jump in the returned sequences. A long range is read as up to
    /// ``NATSConnectionConfiguration/blockingThreads`` consecutive runs at once (the replicas answer
    /// direct gets in parallel); the result stops after the first run that ended early. Fewer than
    /// `limit` (or none) come back when the stream ends, or when a follower that is a moment behind answers.
    public func messages(stream: String, from first: UInt64, limit: Int) async throws -> [NATSStoredMessage] {
        let runs = max(1, min(configuration.blockingThreads, limit / 256))
        let size = UInt64((limit + runs - 1) / runs)
        let ends = (0..<UInt64(runs)).map { min(first + ($0 + 1) * size, first + UInt64(limit)) }
        let parts = try await withThrowingTaskGroup(of: (Int, [NATSStoredMessage]).self) { group in
            for (index, end) in ends.enumerated() {
                let start = index == 0 ? first : ends[index - 1]
                group.addTask {
                    (
                        index,
                        try await self.blocking { try readRun(jetStream: $0, stream: stream, from: start, before: end) }
                    )
                }
            }
            var parts = [[NATSStoredMessage]](repeating: [], count: runs)
            for try await (index, part) in group {
                parts[index] = part
            }
            return parts
        }
        var found: [NATSStoredMessage] = []
        found.reserveCapacity(limit)
        for (part, end) in zip(parts, ends) {
            found += part
            guard part.last?.sequence == end - 1 else {
                break
            }
        }
        return found
    }
}

/// The messages from `first` until the first one at or after `end`, each read as "the next message at or
/// after the sequence that follows the previous one"; a message found past a hole is kept (it shows the
/// hole) and ends the run when it lies at or beyond `end`.
private func readRun(
    jetStream: OpaquePointer,
    stream: String,
    from first: UInt64,
    before end: UInt64
) throws
    -> [NATSStoredMessage]
{
    var found: [NATSStoredMessage] = []
    var next = first
    while next < end {
        var options = jsDirectGetMsgOptions()
        jsDirectGetMsgOptions_Init(&options)
        options.Sequence = next
        var message: OpaquePointer?
        let status = ">".withCString { subject in
            options.NextBySubject = subject
            return js_DirectGetMsg(&message, jetStream, stream, nil, &options)
        }
        if status == NATS_NOT_FOUND {
            break
        }
        try NATSError.check(status, operation: "read message \(next) of stream \(stream)")
        let stored = NATSStoredMessage(try required(message, "read message \(next) of stream \(stream)"))
        natsMsg_Destroy(message)
        found.append(stored)
        next = stored.sequence + 1
    }
    return found
}
#endif
