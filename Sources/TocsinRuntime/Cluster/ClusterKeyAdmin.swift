// SPDX-License-Identifier: Apache-2.0

#if NATS
import Crypto
import Logging
import ServiceLifecycle
import Synchronization
import TocsinCore
import TocsinNATS
import TocsinServer
import TocsinStore

/// Identities and key hashes in the cluster's `tocsin-identities` bucket (`--backend nats`): every
/// change is one compare-and-set on the identity's key, and every node watches the bucket and
/// replaces its ``KeyRing`` on each change, so a revocation on one node is in force on all of them
/// as soon as their watchers see it (well under a second on a healthy cluster).
///
/// Only key hashes go into the bucket ("Only key hashes go into KV"): a new key is shown once to the
/// caller, and the bootstrap admin key is written only to the data directory of the node that created
/// it. Every change appends a `tocsin.key.*` event to the event stream, as on the embedded store.
final class ClusterKeyAdmin: KeyAdministration, Service {
    /// The bucket's name.
    static let bucketName = "tocsin-identities"
    /// How long a node goes on trusting a key ring it cannot confirm is current: a revocation is in
    /// force on every node within about this time (plus one 250 ms check).
    static let staleAfter = Duration.seconds(1)

    let ring = KeyRing()
    private let bucket: NATSKeyValue
    private let log: any EventLog
    private let dataDirectory: String
    private let clock: @Sendable () -> Int64
    private let isConnected: @Sendable () -> Bool
    private let bucketLastRevision: @Sendable () async throws -> UInt64
    private let logger: Logger
    /// The highest revision the watch has delivered (of any key): the bucket's stream sequence.
    private let seenRevision = Mutex<UInt64>(0)
    /// Every identity the bucket holds, with the revision last applied.
    private let records = Mutex<[String: (record: ClusterIdentityRecord, revision: UInt64)]>([:])

    init(
        bucket: NATSKeyValue,
        log: any EventLog,
        dataDirectory: String,
        clock: @escaping @Sendable () -> Int64,
        isConnected: @escaping @Sendable () -> Bool,
        bucketLastRevision: @escaping @Sendable () async throws -> UInt64,
        logger: Logger
    ) {
        self.bucket = bucket
        self.isConnected = isConnected
        self.bucketLastRevision = bucketLastRevision
        self.log = log
        self.dataDirectory = dataDirectory
        self.clock = clock
        self.logger = logger
    }

    /// The bucket's configuration with `replicas` copies and 5 revisions kept per identity.
    static func bucketConfiguration(replicas: Int) -> NATSKeyValueConfiguration {
        NATSKeyValueConfiguration(bucket: bucketName, history: 5, replicas: replicas)
    }

    /// Creates the `admin` identity if the bucket has none (create-if-absent, so of several nodes
    /// starting at once exactly one wins) and writes its key to `admin.key` in this node's data
    /// directory; a node that finds it already there loads it.
    ///
    /// - Returns: `true` when this node created the key.
    func bootstrap() async throws -> Bool {
        let key = KeyFiles.generateAPIKey()
        let now = clock()
        let record = ClusterIdentityRecord(
            identity: Identity(name: Identity.bootstrapName, roles: [.admin], createdAtMilliseconds: now),
            secrets: [KeySecret(hash: KeyFiles.hashAPIKey(key), identity: Identity.bootstrapName)]
        )
        let name = ClusterIdentityRecord.key(Identity.bootstrapName)
        do {
            let revision = try await bucket.create(name, value: record.bytes)
            try KeyFiles.replaceSecret(key + "\n", at: dataDirectory + "/" + KeyFiles.adminKeyName)
            apply(record, revision: revision)
            return true
        } catch let error as NATSError where error.code == .wrongRevision {
            if let entry = try await bucket.get(name), let stored = ClusterIdentityRecord(bytes: entry.value) {
                apply(stored, revision: entry.revision)
            }
            return false
        }
    }

    /// Reads every identity of the bucket into the key ring, before the node serves.
    func catchUp() async throws {
        for try await change in try await bucket.watch() {
            guard case .entry(let entry) = change else {
                return
            }
            seenRevision.withLock { $0 = max($0, entry.revision) }
            apply(entry)
        }
    }

    /// Watches the bucket and applies every change to the key ring until graceful shutdown.
    ///
    /// The ring fails closed: when the watch fails, or the node cannot confirm for longer than
    /// ``staleAfter`` that it is current (see ``staleness()``), the ring is suspended and every
    /// credential is answered `503`, since a key revoked on another node meanwhile must not keep
    /// working here. Once connected again the watch starts over, and the ring resumes when it has
    /// caught up with the bucket.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let reason = await withTaskGroup(of: String?.self) { group in
                    group.addTask { await self.follow() }
                    group.addTask { await self.staleness() }
                    let reason = await group.next() ?? nil
                    group.cancelAll()
                    return reason
                }
                guard let reason, !Task.isCancelled else {
                    return
                }
                self.ring.suspend(because: reason)
                self.logger.warning(
                    "Credentials are refused (503) until the identities are read again from the cluster.",
                    metadata: ["nats.bucket": "\(Self.bucketName)", "reason": "\(reason)"]
                )
                while !self.isConnected(), !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Applies the bucket's changes until the watch ends; returns why it ended.
    private func follow() async -> String? {
        do {
            for try await change in try await bucket.watch() {
                switch change {
                case .entry(let entry):
                    seenRevision.withLock { $0 = max($0, entry.revision) }
                    apply(entry)
                case .caughtUp:
                    if ring.suspensionReason != nil {
                        ring.resume()
                        logger.notice("The identities are read again from the cluster; credentials are checked again.")
                    }
                }
            }
            return Task.isCancelled ? nil : "the identities watch ended"
        } catch {
            return "the identities watch failed: \((error as? NATSError)?.code.description ?? "\(type(of: error))")"
        }
    }

    /// Returns once the node could not confirm for longer than ``staleAfter`` that its ring is
    /// current: disconnected from NATS, the bucket's stream not answering (a partition from its
    /// leader), or the watch behind the stream's last sequence (a stalled watch).
    private func staleness() async -> String? {
        var since: ContinuousClock.Instant?
        while !Task.isCancelled {
            let problem: String?
            if !isConnected() {
                problem = "not connected to NATS"
            } else {
                do {
                    let last = try await bucketLastRevision()
                    problem =
                        last > seenRevision.withLock({ $0 })
                        ? "the identities watch is behind the bucket" : nil
                } catch {
                    problem = "the identities bucket does not answer"
                }
            }
            if problem == nil {
                since = nil
            } else if let since, since.duration(to: .now) > Self.staleAfter, let problem {
                return "\(problem) for more than \(Self.staleAfter): revocations made on other nodes may not be seen"
            } else if since == nil {
                since = .now
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return nil
    }

    func create(_ identity: Identity, actor: String) async throws -> String? {
        if let certificate = identity.certificateName,
            records.withLock({ records in
                records.values.contains { $0.record.identity.certificateName == certificate }
            })
        {
            throw KeyAdministrationError.conflict(
                "an identity with this certificate name exists (revoked names are not reused); choose another"
            )
        }
        // The ring above only knows what this node has seen: the bucket decides between two nodes
        // creating identities for one certificate name at once.
        let reservation = identity.certificateName.map(Self.certificateKey)
        if let reservation {
            do {
                _ = try await onBucket { try await bucket.create(reservation, value: Array(identity.name.utf8)) }
            } catch let error as NATSError where error.code == .wrongRevision {
                throw KeyAdministrationError.conflict(
                    "an identity with this certificate name exists (revoked names are not reused); choose another"
                )
            }
        }
        let key = identity.certificateName == nil ? KeyFiles.generateAPIKey() : nil
        let record = ClusterIdentityRecord(
            identity: identity,
            secrets: key.map { [KeySecret(hash: KeyFiles.hashAPIKey($0), identity: identity.name)] } ?? []
        )
        let revision: UInt64
        do {
            revision = try await onBucket {
                try await bucket.create(ClusterIdentityRecord.key(identity.name), value: record.bytes)
            }
        } catch let error as NATSError where error.code == .wrongRevision {
            if let reservation {
                try? await bucket.delete(reservation)
            }
            throw KeyAdministrationError.conflict(
                "an identity with this name exists (revoked names are not reused); choose another"
            )
        }
        apply(record, revision: revision)
        try await announce(
            "tocsin.key.created",
            name: identity.name,
            actor: actor,
            extra: [("identity", identity.jsonValue)]
        )
        return key
    }

    func list() async throws -> [Identity] {
        records.withLock { $0.values.map(\.record.identity) }.sorted { $0.name < $1.name }
    }

    func revoke(name: String, actor: String) async throws -> Bool {
        guard name != Identity.bootstrapName else {
            throw KeyAdministrationError.refused(
                "the bootstrap admin identity cannot be revoked; rotate its key instead (POST /v1/keys/admin/rotate)"
            )
        }
        let now = clock()
        let changed = try await change(name) { record in
            guard record.identity.revokedAtMilliseconds == nil else {
                return false
            }
            record.identity.revokedAtMilliseconds = now
            return true
        }
        if changed {
            try await announce("tocsin.key.revoked", name: name, actor: actor, extra: [], time: now)
        }
        return changed
    }

    func rotate(name: String, graceSeconds: Int64, actor: String) async throws -> String? {
        let key = KeyFiles.generateAPIKey()
        let now = clock()
        let previousUntil = now + graceSeconds * 1000
        let changed = try await change(name) { record in
            guard record.identity.revokedAtMilliseconds == nil, !record.secrets.isEmpty else {
                return false
            }
            for index in record.secrets.indices
            where (record.secrets[index].expiresAtMilliseconds ?? .max) > previousUntil {
                record.secrets[index].expiresAtMilliseconds = previousUntil
            }
            // Keys past their grace period stay out of the record.
            record.secrets.removeAll { $0.expiresAtMilliseconds.map { $0 <= now } ?? false }
            record.secrets.append(KeySecret(hash: KeyFiles.hashAPIKey(key), identity: name))
            return true
        }
        guard changed else {
            return nil
        }
        if name == Identity.bootstrapName {
            try KeyFiles.replaceSecret(key + "\n", at: dataDirectory + "/" + KeyFiles.adminKeyName)
        }
        try await announce(
            "tocsin.key.rotated",
            name: name,
            actor: actor,
            extra: [("grace_seconds", InternalEvents.number(graceSeconds))]
        )
        return key
    }

    /// Reads the identity's record, lets `edit` change it, and writes it at the revision read;
    /// another writer in between makes it read and edit again.
    ///
    /// - Returns: whether a change was written (`false` for an unknown identity or when `edit` declines).
    private func change(_ name: String, _ edit: (inout ClusterIdentityRecord) -> Bool) async throws -> Bool {
        let key = ClusterIdentityRecord.key(name)
        for attempt in 0..<8 {
            guard let entry = try await onBucket({ try await bucket.get(key) }),
                var record = ClusterIdentityRecord(bytes: entry.value)
            else {
                return false
            }
            guard edit(&record) else {
                return false
            }
            do {
                let revision = try await onBucket {
                    try await bucket.update(key, value: record.bytes, revision: entry.revision)
                }
                apply(record, revision: revision)
                return true
            } catch let error as NATSError where error.code == .wrongRevision {
                // Another node wrote first, or the read came from a replica a moment behind: read again.
                try await Task.sleep(for: .milliseconds(20 * (attempt + 1)))
            }
        }
        throw KeyAdministrationError.conflict(
            "the identity kept changing under this request (other nodes writing it); try again"
        )
    }

    /// The bucket key that reserves a certificate name for one identity (the name's SHA-256 in hex:
    /// KV keys allow fewer characters than certificate names).
    static func certificateKey(_ name: String) -> String {
        "certificate." + Hex.encode(Array(SHA256.hash(data: Array(name.utf8))))
    }

    /// Runs a bucket operation for an API request: a cluster that does not answer is `503` with
    /// `Retry-After`, not an internal error; a compare-and-set conflict stays for the caller.
    private func onBucket<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as NATSError where error.code != .wrongRevision {
            throw LogUnavailable(
                message: "the identities bucket \(Self.bucketName) did not answer (\(error.code)); try again",
                retryAfterSeconds: 2
            )
        }
    }

    /// Applies one change seen by the watcher.
    private func apply(_ entry: NATSKeyValueEntry) {
        guard entry.key.hasPrefix("identity.") else {
            return
        }
        let name = String(entry.key.dropFirst("identity.".count))
        switch entry.operation {
        case .put:
            guard let record = ClusterIdentityRecord(bytes: entry.value) else {
                logger.warning("An identity in the bucket cannot be read; ignored.", metadata: ["identity": "\(name)"])
                return
            }
            // A record filed under another identity's key must not replace that identity.
            guard record.identity.name == name else {
                logger.warning(
                    "An identity in the bucket names another identity than its key; ignored.",
                    metadata: ["identity": "\(name)"]
                )
                return
            }
            apply(record, revision: entry.revision)
        case .delete, .purge:
            records.withLock { records in
                if let current = records[name], current.revision < entry.revision {
                    records[name] = nil
                }
            }
            refreshRing()
        }
    }

    /// Puts `record` in force unless a later revision already is.
    private func apply(_ record: ClusterIdentityRecord, revision: UInt64) {
        let isNewer = records.withLock { records in
            guard (records[record.identity.name]?.revision ?? 0) < revision else {
                return false
            }
            records[record.identity.name] = (record, revision)
            return true
        }
        if isNewer {
            refreshRing()
        }
    }

    private func refreshRing() {
        let all = records.withLock { $0.values.map(\.record) }
        ring.replace(identities: all.map(\.identity), secrets: all.flatMap(\.secrets))
    }

    private func announce(
        _ type: String,
        name: String,
        actor: String,
        extra: [(String, JSONValue)],
        time: Int64? = nil
    ) async throws {
        _ = try await log.append([
            KeyAdmin.keyEvent(type, name: name, actor: actor, extra: extra, time: time ?? clock())
        ])
    }
}
#endif
