// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TocsinCore
import TocsinMetrics
import TocsinServer
import TocsinStore

/// Records refused requests as `tocsin.auth.denied` events (source `/tocsin/auth`), coalesced to at most one
/// a second per address and reason.
///
/// The request path only takes a lock and yields to a bounded buffer; this service appends.
final class DenialAuditor: AuthAuditing, Service {
    private let coalescer = Mutex(DenialCoalescer())
    private let summaries: AsyncStream<DenialCoalescer.Summary>
    private let continuation: AsyncStream<DenialCoalescer.Summary>.Continuation
    private let log: any EventLog
    private let logger: Logger
    private let clock: @Sendable () -> Int64
    private let metrics: AccessMetrics

    init(
        log: any EventLog,
        logger: Logger,
        clock: @escaping @Sendable () -> Int64,
        metrics: AccessMetrics = TocsinMetrics.disabled().access
    ) {
        self.metrics = metrics
        (summaries, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(4096))
        self.log = log
        self.logger = logger
        self.clock = clock
    }

    func record(_ denial: DenialCoalescer.Denial) {
        metrics.denied(denial.reason)
        if let summary = coalescer.withLock({ $0.record(denial, now: clock()) }) {
            continuation.yield(summary)
        }
    }

    func run() async throws {
        let summaries = self.summaries
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await cancelWhenGracefulShutdown {
                    while (try? await Task.sleep(for: .seconds(1))) != nil {
                        for summary in self.coalescer.withLock({ $0.flush(now: self.clock()) }) {
                            self.continuation.yield(summary)
                        }
                    }
                }
                self.continuation.finish()
            }
            group.addTask { [self] in
                for await summary in summaries {
                    await append(summary)
                }
            }
        }
    }

    private func append(_ summary: DenialCoalescer.Summary) async {
        let denial = summary.denial
        var data: [(String, JSONValue)] = [
            ("reason", .string(denial.reason.rawValue)),
            ("address", .string(denial.address)),
            ("method", .string(denial.method)),
            ("route", .string(denial.route)),
            ("count", InternalEvents.number(Int64(summary.count))),
            ("address_denials_last_minute", InternalEvents.number(Int64(summary.addressDenialsLastMinute))),
        ]
        if let identity = denial.identity {
            data.append(("identity", .string(identity)))
        }
        if let permission = denial.permission {
            data.append(("permission", .string(permission)))
        }
        do {
            _ = try await log.append([
                InternalEvents.make(
                    type: "tocsin.auth.denied",
                    source: "/tocsin/auth",
                    subject: denial.address,
                    data: data
                )
            ])
        } catch {
            logger.warning(
                "Could not record a refused request in the log.",
                metadata: ["reason": "\(denial.reason.rawValue)", "error": "\(error)"]
            )
        }
    }
}
