// SPDX-License-Identifier: Apache-2.0

#if NATS
internal import CNats
import Foundation

/// A message read back from a stream.
public struct NATSStoredMessage: Sendable, Hashable {
    /// Its stream sequence.
    public var sequence: UInt64
    /// The subject it was published to.
    public var subject: String
    /// The payload.
    public var payload: [UInt8]
}

extension NATSConnection {
    /// Creates the stream, or updates it when it exists with another configuration.
    ///
    /// - Returns: The stream's state after the call.
    /// - Throws: ``NATSError`` when the server refuses the configuration or has no JetStream quorum.
    @discardableResult
    public func ensureStream(_ stream: NATSStreamConfiguration) async throws -> NATSStreamInfo {
        try await blocking { jetStream in
            try withStreamConfig(stream) { config throws(NATSError) -> NATSStreamInfo in
                var info: UnsafeMutablePointer<jsStreamInfo>?
                var error = jsErrCode(rawValue: 0)
                var status = js_AddStream(&info, jetStream, &config, nil, &error)
                if status != NATS_OK && error.rawValue == 10058 {  // the name exists with another configuration
                    error = jsErrCode(rawValue: 0)
                    status = js_UpdateStream(&info, jetStream, &config, nil, &error)
                }
                try NATSError.check(status, jsError: error, operation: "create or update stream \(stream.name)")
                defer { jsStreamInfo_Destroy(info) }
                return NATSStreamInfo(try required(info, "create stream \(stream.name)"))
            }
        }
    }

    /// The stream's leader, replicas and sequence numbers.
    ///
    /// - Throws: ``NATSError/Code/notFound`` for an unknown stream, ``NATSError/Code/unavailable``
    ///   while it has no leader.
    public func streamInfo(_ name: String) async throws -> NATSStreamInfo {
        try await blocking { jetStream in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var error = jsErrCode(rawValue: 0)
            try NATSError.check(
                js_GetStreamInfo(&info, jetStream, name, nil, &error),
                jsError: error,
                operation: "read the state of stream \(name)"
            )
            defer { jsStreamInfo_Destroy(info) }
            return NATSStreamInfo(try required(info, "read the state of stream \(name)"))
        }
    }

    /// Deletes the stream and all its messages.
    public func deleteStream(_ name: String) async throws {
        try await blocking { jetStream in
            var error = jsErrCode(rawValue: 0)
            try NATSError.check(
                js_DeleteStream(jetStream, name, nil, &error),
                jsError: error,
                operation: "delete stream \(name)"
            )
        }
    }

    /// The message at `sequence` (a direct get, answered by any replica), or `nil` when there is none.
    public func message(stream: String, sequence: UInt64) async throws -> NATSStoredMessage? {
        try await directGet(stream: stream, sequence: sequence, nextBySubject: nil)
    }

    /// The first message at or after `sequence` whose subject matches `subject` (wildcards allowed),
    /// or `nil` when there is none.
    public func nextMessage(stream: String, from sequence: UInt64, subject: String) async throws -> NATSStoredMessage? {
        try await directGet(stream: stream, sequence: sequence, nextBySubject: subject)
    }

    private func directGet(stream: String, sequence: UInt64, nextBySubject: String?) async throws -> NATSStoredMessage?
    {
        try await blocking { jetStream in
            var options = jsDirectGetMsgOptions()
            jsDirectGetMsgOptions_Init(&options)
            options.Sequence = sequence
            var message: OpaquePointer?
            let status = withOptionalCString(nextBySubject) { subject in
                options.NextBySubject = subject
                return js_DirectGetMsg(&message, jetStream, stream, nil, &options)
            }
            if status == NATS_NOT_FOUND {
                return nil
            }
            try NATSError.check(status, operation: "read message \(sequence) of stream \(stream)")
            defer { natsMsg_Destroy(message) }
            return NATSStoredMessage(try required(message, "read message \(sequence) of stream \(stream)"))
        }
    }
}

extension NATSStoredMessage {
    init(_ message: OpaquePointer) {
        var value: UnsafePointer<CChar>?
        let sequence: UInt64
        if natsMsgHeader_Get(message, "Nats-Sequence", &value) == NATS_OK, let value {
            sequence = UInt64(String(cString: value)) ?? natsMsg_GetSequence(message)
        } else {
            sequence = natsMsg_GetSequence(message)
        }
        var subject = ""
        if natsMsgHeader_Get(message, "Nats-Subject", &value) == NATS_OK, let value {
            subject = String(cString: value)
        } else if let own = natsMsg_GetSubject(message) {
            subject = String(cString: own)
        }
        let length = Int(natsMsg_GetDataLength(message))
        let payload =
            length == 0
            ? []
            : natsMsg_GetData(message).withMemoryRebound(to: UInt8.self, capacity: length) {
                Array(UnsafeBufferPointer(start: $0, count: length))
            }
        self.init(sequence: sequence, subject: subject, payload: payload)
    }
}

extension NATSStreamInfo {
    init(_ info: UnsafeMutablePointer<jsStreamInfo>) {
        var replicas: [Replica] = []
        var leader: String?
        if let cluster = info.pointee.Cluster {
            leader = cluster.pointee.Leader.map { String(cString: $0) }
            for index in 0..<Int(cluster.pointee.ReplicasLen) {
                guard let peer = cluster.pointee.Replicas[index] else {
                    continue
                }
                replicas.append(
                    Replica(
                        name: peer.pointee.Name.map { String(cString: $0) } ?? "",
                        isCurrent: peer.pointee.Current,
                        isOffline: peer.pointee.Offline,
                        lag: peer.pointee.Lag
                    )
                )
            }
        }
        self.init(
            name: info.pointee.Config.map { String(cString: $0.pointee.Name) } ?? "",
            leader: leader,
            replicas: replicas,
            messages: info.pointee.State.Msgs,
            firstSequence: info.pointee.State.FirstSeq,
            lastSequence: info.pointee.State.LastSeq
        )
    }
}

/// Calls `body` with a libnats stream configuration for `stream`; the C strings live only during the call.
private func withStreamConfig<T>(
    _ stream: NATSStreamConfiguration,
    _ body: (inout jsStreamConfig) throws(NATSError) -> T
) throws(NATSError) -> T {
    var config = jsStreamConfig()
    jsStreamConfig_Init(&config)
    let name = strdup(stream.name)
    var subjects: [UnsafePointer<CChar>?] = stream.subjects.map { UnsafePointer(strdup($0)) }
    defer {
        free(name)
        for subject in subjects {
            free(UnsafeMutablePointer(mutating: subject))
        }
    }
    config.Name = UnsafePointer(name)
    config.Storage = js_FileStorage
    config.Replicas = Int64(stream.replicas)
    config.Duplicates = stream.duplicateWindow.natsNanoseconds
    config.MaxAge = stream.maxAge?.natsNanoseconds ?? 0
    config.MaxBytes = stream.maxBytes ?? -1
    config.AllowDirect = true
    config.Retention = stream.isWorkQueue ? js_WorkQueuePolicy : js_LimitsPolicy
    var sources = stream.sources.map(makeStreamSource)
    defer { sources.forEach(freeStreamSource) }
    return try subjects.withUnsafeMutableBufferPointer { buffer throws(NATSError) -> T in
        // A stream that only copies from its sources captures no subject of its own.
        config.Subjects = buffer.isEmpty ? nil : buffer.baseAddress
        config.SubjectsLen = Int32(buffer.count)
        return try sources.withUnsafeMutableBufferPointer { sourceBuffer throws(NATSError) -> T in
            config.Sources = sourceBuffer.isEmpty ? nil : sourceBuffer.baseAddress
            config.SourcesLen = Int32(sourceBuffer.count)
            return try body(&config)
        }
    }
}

/// A `jsStreamSource` (and its `jsExternalStream`) with copies of the strings; release with
/// `freeStreamSource`.
private func makeStreamSource(_ source: NATSStreamSource) -> UnsafeMutablePointer<jsStreamSource>? {
    let pointer = UnsafeMutablePointer<jsStreamSource>.allocate(capacity: 1)
    jsStreamSource_Init(pointer)
    pointer.pointee.Name = UnsafePointer(strdup(source.name))
    pointer.pointee.FilterSubject = source.filterSubject.map { UnsafePointer(strdup($0)) }
    if let prefix = source.apiPrefix {
        let external = UnsafeMutablePointer<jsExternalStream>.allocate(capacity: 1)
        jsExternalStream_Init(external)
        external.pointee.APIPrefix = UnsafePointer(strdup(prefix))
        // libnats writes the deliver prefix unconditionally (a NULL crashes it); empty is "none", as
        // other clients send it.
        external.pointee.DeliverPrefix = UnsafePointer(strdup(""))
        pointer.pointee.External = external
    }
    return pointer
}

private func freeStreamSource(_ pointer: UnsafeMutablePointer<jsStreamSource>?) {
    guard let pointer else {
        return
    }
    free(UnsafeMutablePointer(mutating: pointer.pointee.Name))
    free(UnsafeMutablePointer(mutating: pointer.pointee.FilterSubject))
    if let external = pointer.pointee.External {
        free(UnsafeMutablePointer(mutating: external.pointee.APIPrefix))
        free(UnsafeMutablePointer(mutating: external.pointee.DeliverPrefix))
        external.deallocate()
    }
    pointer.deallocate()
}

/// Calls `body` with `text` as a C string, or with `nil`.
func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
    guard let text else {
        return body(nil)
    }
    return text.withCString { body($0) }
}
#endif
