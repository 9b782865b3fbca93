// SPDX-License-Identifier: Apache-2.0

#if NATS
internal import CNats
import Foundation

/// How far a durable consumer is behind its stream, from the consumer's info.
public struct NATSConsumerState: Sendable, Hashable {
    /// Messages of its subjects not delivered yet: the consumer's lag.
    public var pending: UInt64
    /// Messages delivered and not acknowledged yet.
    public var ackPending: Int64
    /// Messages delivered more than once and not acknowledged yet.
    public var redelivered: Int64
}

extension NATSConnection {
    /// The state of the durable consumer `durable` on `stream`.
    ///
    /// - Throws: ``NATSError/Code/notFound`` when it does not exist.
    public func consumerState(stream: String, durable: String) async throws -> NATSConsumerState {
        try await blocking { jetStream in
            var info: UnsafeMutablePointer<jsConsumerInfo>?
            var error = jsErrCode(rawValue: 0)
            try NATSError.check(
                js_GetConsumerInfo(&info, jetStream, stream, durable, nil, &error),
                jsError: error,
                operation: "read the state of consumer \(durable) on \(stream)"
            )
            defer { jsConsumerInfo_Destroy(info) }
            let state = try required(info, "read the state of consumer \(durable)").pointee
            return NATSConsumerState(
                pending: state.NumPending,
                ackPending: state.NumAckPending,
                redelivered: state.NumRedelivered
            )
        }
    }

    /// The subjects of `stream` that match `filter` and hold messages, with how many each holds.
    public func subjectCounts(stream: String, filter: String) async throws -> [String: UInt64] {
        try await blocking { jetStream in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var error = jsErrCode(rawValue: 0)
            var options = jsOptions()
            jsOptions_Init(&options)
            let status = filter.withCString { filterText in
                options.Stream.Info.SubjectsFilter = filterText
                return js_GetStreamInfo(&info, jetStream, stream, &options, &error)
            }
            try NATSError.check(status, jsError: error, operation: "list the subjects of stream \(stream)")
            defer { jsStreamInfo_Destroy(info) }
            guard let subjects = try required(info, "list the subjects of stream \(stream)").pointee.State.Subjects
            else {
                return [:]
            }
            var counts: [String: UInt64] = [:]
            for index in 0..<Int(subjects.pointee.Count) {
                let entry = subjects.pointee.List[index]
                if let subject = entry.Subject {
                    counts[String(cString: subject)] = entry.Msgs
                }
            }
            return counts
        }
    }
}
#endif
