// SPDX-License-Identifier: Apache-2.0

#if NATS
internal import CNats
import Foundation

/// A JetStream key-value bucket: how many revisions to keep per key, how long a value lives, and
/// how many copies the cluster keeps.
public struct NATSKeyValueConfiguration: Sendable, Hashable {
    /// The bucket name (letters, digits, `-` and `_`).
    public var bucket: String
    /// Revisions kept per key (1–64).
    public var history: Int
    /// Values older than this disappear (`nil`: kept forever); leases use it to expire a dead owner.
    public var ttl: Duration?
    /// Copies kept (1, 3 or 5).
    public var replicas: Int

    /// Creates a configuration.
    public init(bucket: String, history: Int = 1, ttl: Duration? = nil, replicas: Int = 1) {
        self.bucket = bucket
        self.history = history
        self.ttl = ttl
        self.replicas = replicas
    }
}

/// What a bucket watch sees.
public enum NATSKeyValueChange: Sendable, Hashable {
    /// A revision of a key.
    case entry(NATSKeyValueEntry)
    /// Every value current when the watch started has been seen; what follows are new changes.
    case caughtUp
}

/// One revision of a key.
public struct NATSKeyValueEntry: Sendable, Hashable {
    /// What the revision did.
    public enum Operation: Sendable, Hashable {
        /// Stored a value.
        case put
        /// Deleted the key.
        case delete
        /// Purged the key's history.
        case purge
    }

    /// The key.
    public var key: String
    /// The value (empty for a delete or purge).
    public var value: [UInt8]
    /// The revision, the CAS token for ``NATSKeyValue/update(_:value:revision:)``.
    public var revision: UInt64
    /// What the revision did.
    public var operation: Operation
}

/// A key-value bucket with compare-and-set: the I/O that leases, cursors and revocations need.
///
/// `@unchecked Sendable` because the `kvStore` handle is set once and destroyed once in
/// ``close()``; libnats locks it internally.
public final class NATSKeyValue: @unchecked Sendable {
    private let store: Handle
    private let connection: NATSConnection
    /// The bucket's name.
    public let bucket: String

    fileprivate init(store: OpaquePointer, connection: NATSConnection, bucket: String) {
        self.store = Handle(store)
        self.connection = connection
        self.bucket = bucket
    }

    /// The current value of `key`, or `nil` when it has none (never set, deleted or expired).
    public func get(_ key: String) async throws -> NATSKeyValueEntry? {
        let store = store
        let bucket = bucket
        return try await connection.executor.run { () throws -> NATSKeyValueEntry? in
            var entry: OpaquePointer?
            let status = kvStore_Get(&entry, store.pointer, key)
            if status == NATS_NOT_FOUND {
                return nil
            }
            try NATSError.check(status, operation: "read key \(key) of bucket \(bucket)")
            defer { kvEntry_Destroy(entry) }
            return NATSKeyValueEntry(try required(entry, "read key \(key) of bucket \(bucket)"))
        }
    }

    /// Stores `value` under `key` whatever is there; returns the new revision.
    @discardableResult
    public func put(_ key: String, value: [UInt8]) async throws -> UInt64 {
        try await write(key, operation: "write") { store, revision in
            value.withUnsafeBytes { kvStore_Put(&revision, store, key, $0.baseAddress, Int32($0.count)) }
        }
    }

    /// Stores `value` under `key` only if the key has no value; returns the new revision.
    ///
    /// - Throws: ``NATSError/Code/wrongRevision`` when the key has a value.
    public func create(_ key: String, value: [UInt8]) async throws -> UInt64 {
        try await write(key, operation: "create") { store, revision in
            value.withUnsafeBytes { kvStore_Create(&revision, store, key, $0.baseAddress, Int32($0.count)) }
        }
    }

    /// Stores `value` under `key` only if its latest revision is `revision`; returns the new revision.
    ///
    /// - Throws: ``NATSError/Code/wrongRevision`` when another writer changed the key first.
    public func update(_ key: String, value: [UInt8], revision expected: UInt64) async throws -> UInt64 {
        try await write(key, operation: "update") { store, revision in
            value.withUnsafeBytes {
                kvStore_Update(&revision, store, key, $0.baseAddress, Int32($0.count), expected)
            }
        }
    }

    /// Deletes `key` (a delete marker; history keeps the earlier revisions).
    public func delete(_ key: String) async throws {
        let store = store
        let bucket = bucket
        try await connection.executor.run {
            try NATSError.check(kvStore_Delete(store.pointer, key), operation: "delete key \(key) of bucket \(bucket)")
        }
    }

    /// The revisions of keys matching `keys` (`>` for all): first the current ones, then
    /// ``NATSKeyValueChange/caughtUp``, then every change as it happens.
    ///
    /// A dedicated thread reads the watcher; ending the iteration stops it.
    public func watch(_ keys: String = ">") async throws -> AsyncThrowingStream<NATSKeyValueChange, any Error> {
        let store = store
        let bucket = bucket
        let watcher = try await connection.executor.run { () throws -> Handle in
            var watcher: OpaquePointer?
            try NATSError.check(kvStore_Watch(&watcher, store.pointer, keys, nil), operation: "watch bucket \(bucket)")
            return Handle(try required(watcher, "watch bucket \(bucket)"))
        }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: NATSKeyValueChange.self)
        continuation.onTermination = { _ in
            kvWatcher_Stop(watcher.pointer)
        }
        let thread = Thread {
            readWatcher(watcher, into: continuation, bucket: bucket)
        }
        thread.name = "tocsin-nats-watch"
        thread.start()
        return stream
    }

    /// Frees the bucket handle (the bucket and its keys stay on the servers).
    public func close() async {
        let store = store
        _ = try? await connection.executor.run { kvStore_Destroy(store.pointer) }
    }

    private func write(
        _ key: String,
        operation: String,
        _ body: @escaping @Sendable (OpaquePointer, inout UInt64) -> natsStatus
    ) async throws -> UInt64 {
        let store = store
        let bucket = bucket
        return try await connection.executor.run { () throws -> UInt64 in
            var revision: UInt64 = 0
            let status = body(store.pointer, &revision)
            guard status == NATS_OK else {
                if lastErrorText().contains("wrong last sequence") {
                    throw NATSError(
                        code: .wrongRevision,
                        message: "\(operation) key \(key) of bucket \(bucket): another writer changed it first; "
                            + "read it again and retry"
                    )
                }
                throw NATSError.from(status, operation: "\(operation) key \(key) of bucket \(bucket)")
            }
            return revision
        }
    }
}

extension NATSConnection {
    /// Creates the bucket, or binds to it when it exists.
    public func keyValue(_ configuration: NATSKeyValueConfiguration) async throws -> NATSKeyValue {
        let store = try await blocking { jetStream -> Handle in
            var config = kvConfig()
            kvConfig_Init(&config)
            config.History = UInt8(clamping: configuration.history)
            config.TTL = configuration.ttl?.natsNanoseconds ?? 0
            config.Replicas = Int32(configuration.replicas)
            config.StorageType = js_FileStorage
            var store: OpaquePointer?
            let status = configuration.bucket.withCString { name in
                config.Bucket = name
                return js_CreateKeyValue(&store, jetStream, &config)
            }
            if status != NATS_OK {
                // An existing bucket with another configuration: bind to it as it is.
                try NATSError.check(
                    js_KeyValue(&store, jetStream, configuration.bucket),
                    operation: "create or open bucket \(configuration.bucket)"
                )
            }
            return Handle(try required(store, "open bucket \(configuration.bucket)"))
        }
        return NATSKeyValue(store: store.pointer, connection: self, bucket: configuration.bucket)
    }
}

extension NATSKeyValueEntry {
    init(_ entry: OpaquePointer) {
        let length = Int(kvEntry_ValueLen(entry))
        let value: [UInt8] =
            length == 0
            ? []
            : kvEntry_Value(entry).withMemoryRebound(to: UInt8.self, capacity: length) {
                Array(UnsafeBufferPointer(start: $0, count: length))
            }
        let operation: Operation
        switch kvEntry_Operation(entry) {
        case kvOp_Delete: operation = .delete
        case kvOp_Purge: operation = .purge
        default: operation = .put
        }
        self.init(
            key: String(cString: kvEntry_Key(entry)),
            value: value,
            revision: kvEntry_Revision(entry),
            operation: operation
        )
    }
}

/// The text libnats recorded for the last failure on this thread.
func lastErrorText() -> String {
    var status = NATS_OK
    guard let text = nats_GetLastError(&status) else {
        return ""
    }
    return String(cString: text)
}

private func readWatcher(
    _ watcher: Handle,
    into continuation: AsyncThrowingStream<NATSKeyValueChange, any Error>.Continuation,
    bucket: String
) {
    defer { kvWatcher_Destroy(watcher.pointer) }
    while true {
        var entry: OpaquePointer?
        let status = kvWatcher_Next(&entry, watcher.pointer, 1000)
        switch status {
        case NATS_OK:
            // A nil entry marks the end of the initial values.
            if let entry {
                continuation.yield(.entry(NATSKeyValueEntry(entry)))
                kvEntry_Destroy(entry)
            } else {
                continuation.yield(.caughtUp)
            }
        case NATS_TIMEOUT:
            continue
        case NATS_ILLEGAL_STATE:
            continuation.finish()
            return
        default:
            continuation.finish(throwing: NATSError.from(status, operation: "watch bucket \(bucket)"))
            return
        }
    }
}
#endif
