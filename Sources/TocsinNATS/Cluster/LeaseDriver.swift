// SPDX-License-Identifier: Apache-2.0

#if NATS
public import Logging
import Synchronization
public import TocsinCluster
public import TocsinCore

/// Runs one ``LeaseElection`` on a key of a KV bucket: carries out its reads and writes, feeds it a
/// watch on the key and ticks at its ``LeaseElection/nextWake(now:)``.
///
/// The driver answers every KV decision with exactly one input, one operation at a time, on the task
/// that calls ``run(onChange:)``; watch updates and ticks queue meanwhile. The leader's work is told
/// through ``Change`` and can also ask ``isLeading()`` right before an irreversible step (the lease may
/// have run out while a renewal was stuck).
///
/// ``shutdown()`` is the graceful stop: the election steps down, the driver writes the released record
/// and ``run(onChange:)`` returns once the write is answered (bounded by the connection's request
/// timeout). Cancelling the task that runs it stops at once without releasing, as a crash would: the
/// lease then moves when it expires.
public final class LeaseDriver: Sendable {
    /// What the leader's work must do.
    public enum Change: Sendable, Hashable {
        /// This process holds the lease: work until this time on its clock (a later `lead` extends it).
        case lead(untilMilliseconds: Int64)
        /// Stop the leader's work now.
        case stepDown(LeaseElection.StepDownReason)
    }

    /// The key of the lease in the bucket.
    public let key: String
    /// This process's identity as a holder.
    public let candidate: String
    private let bucket: NATSKeyValue
    private let configuration: LeaseElection.Configuration
    private let clock: any WallClock
    private let logger: Logger
    private let inbox: DriverInbox<LeaseElection.Input>
    private let leadingUntil = Mutex<Int64>(.min)

    /// Creates a driver; nothing happens before ``run(onChange:)``.
    ///
    /// - Parameters:
    ///   - bucket: The bucket holding the lease key. It must not expire keys by itself (no TTL
    ///     shorter than the lease).
    ///   - key: The lease key, for example `chain`.
    ///   - candidate: This process's identity (``LeaseElection/candidateIdentity(node:using:)``).
    ///   - configuration: The lease's timing.
    ///   - clock: The wall clock the lease's expiries are written in.
    ///   - logger: Where lease changes are logged.
    public init(
        bucket: NATSKeyValue,
        key: String,
        candidate: String,
        configuration: LeaseElection.Configuration = LeaseElection.Configuration(),
        clock: any WallClock,
        logger: Logger
    ) {
        self.bucket = bucket
        self.key = key
        self.candidate = candidate
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        inbox = DriverInbox(tick: .tick, clock: clock)
    }

    /// Whether this process may act as the lease holder now.
    public func isLeading() -> Bool {
        clock.milliseconds < leadingUntil.withLock { $0 }
    }

    /// Asks for the graceful stop: step down, release the key, then return from ``run(onChange:)``.
    public func shutdown() {
        inbox.send(.shutdown)
    }

    /// Runs the election until ``shutdown()`` has released the key, or until the task is cancelled.
    ///
    /// - Parameter onChange: Called, in order and before the next KV operation, when the leader's work
    ///   must start, continue until a later time, or stop.
    public func run(onChange: @Sendable (Change) async -> Void) async {
        var election = LeaseElection(candidate: candidate, configuration: configuration)
        let watcher = watchKey()
        var timer: Task<Void, Never>?
        defer {
            watcher.cancel()
            timer?.cancel()
            leadingUntil.withLock { $0 = .min }
        }
        var iterator = inbox.makeIterator()
        var next: LeaseElection.Input = .tick
        var isShuttingDown = false
        while !Task.isCancelled {
            isShuttingDown = isShuttingDown || next == .shutdown
            var inputs = [next]
            while !inputs.isEmpty {
                let input = inputs.removeFirst()
                for decision in election.handle(input, now: clock.milliseconds) {
                    if let answer = await carryOut(decision, onChange: onChange) {
                        inputs.append(answer)
                    }
                }
            }
            let wake = election.nextWake(now: clock.milliseconds)
            if isShuttingDown && wake == nil {
                return
            }
            timer?.cancel()
            timer = inbox.wake(at: wake)
            // A cancelled task stops here, without carrying out what is still queued (a release among it).
            guard let input = await iterator.next(), !Task.isCancelled else {
                return
            }
            next = input
        }
    }

    /// Feeds every revision of the key to the election as `observed`; a failed watch is logged and the
    /// election goes on with reads and ticks alone.
    private func watchKey() -> Task<Void, Never> {
        Task { [bucket, key, inbox, logger] in
            do {
                for try await case .entry(let entry) in try await bucket.watch(key) {
                    inbox.send(.observed(LeaseRecordCoding.entry(entry)))
                }
            } catch {
                logger.warning(
                    "lease watch stopped; the election continues by reading the key",
                    metadata: ["lease.key": "\(key)", "error.type": "\(type(of: error))"]
                )
            }
        }
    }

    private func carryOut(
        _ decision: LeaseElection.Decision,
        onChange: @Sendable (Change) async -> Void
    ) async -> LeaseElection.Input? {
        switch decision {
        case .read:
            do {
                return .observed(try await bucket.get(key).flatMap(LeaseRecordCoding.entry))
            } catch {
                return .readFailed
            }
        case .acquire(let record):
            return .written(await write { try await $0.create(key, value: LeaseRecordCoding.bytes(record)) })
        case .renew(let record, let revision), .takeOver(let record, let revision),
            .release(let record, let revision):
            return .written(
                await write { try await $0.update(key, value: LeaseRecordCoding.bytes(record), revision: revision) }
            )
        case .lead(let until):
            let wasLeading = leadingUntil.withLock { leading in
                defer { leading = until }
                return leading != .min
            }
            if !wasLeading {
                logger.info("lease won", metadata: ["lease.key": "\(key)", "lease.holder": "\(candidate)"])
            }
            await onChange(.lead(untilMilliseconds: until))
            return nil
        case .stepDown(let reason):
            leadingUntil.withLock { $0 = .min }
            logger.info("lease given up", metadata: ["lease.key": "\(key)", "lease.reason": "\(reason)"])
            await onChange(.stepDown(reason))
            return nil
        case .standBy:
            return nil
        }
    }

    private func write(_ body: (NATSKeyValue) async throws -> UInt64) async -> LeaseWriteOutcome {
        do {
            return .succeeded(revision: try await body(bucket))
        } catch let error as NATSError where error.code == .wrongRevision {
            return .conflict
        } catch {
            return .failed
        }
    }
}

/// How a ``LeaseRecord`` is stored as a KV value: `{"holder":"node/…","expires_ms":N}`, readable with
/// `nats kv get`.
enum LeaseRecordCoding {
    static func bytes(_ record: LeaseRecord) -> [UInt8] {
        JSONWriter().bytes(
            .object(
                JSONObject([
                    .init(name: "holder", value: .string(record.holder)),
                    .init(name: "expires_ms", value: .number(JSONNumber(record.expiresMilliseconds))),
                ])
            )
        )
    }

    /// The entry as the election sees it: `nil` for a delete; a value that is not a lease record counts
    /// as a released one (anyone may take it over at its revision).
    static func entry(_ entry: NATSKeyValueEntry) -> LeaseEntry? {
        guard entry.operation == .put else {
            return nil
        }
        let value = try? JSONParser().parse(entry.value)
        let record = LeaseRecord(
            holder: value?["holder"]?.stringValue ?? "",
            expiresMilliseconds: value?["expires_ms"].flatMap(number) ?? 0
        )
        return LeaseEntry(record: record, revision: entry.revision)
    }

    private static func number(_ value: JSONValue) -> Int64? {
        guard case .number(let number) = value else {
            return nil
        }
        return number.int64Value
    }
}
#endif
