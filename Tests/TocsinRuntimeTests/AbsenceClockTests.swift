// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import ServiceLifecycle
import Testing
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinStore
import TocsinTesting

@testable import TocsinRuntime

/// An absence rule reports a silence even when nothing at all is appended: the detection service
/// appends a clock tick, dated by the injected clock, once the absence is due.
struct AbsenceClockTests {
    static let rules = """
        targets:
          pager: {kind: webhook, url: "http://127.0.0.1:9/hook"}
        rules:
          audit-stream-silent:
            pattern: {source: [{prefix: /aws/cloudtrail/}]}
            absence: {within_seconds: 60, group_by: [$.source], allowed_lateness_seconds: 0}
            targets: [{target: pager}]

        """

    /// Reads the log from `cursor` until `found` picks an event, waiting on appends (at most `rounds`
    /// waits of a second each).
    static func next(
        in store: EventStore,
        after cursor: inout Int64,
        rounds: Int = 30,
        where found: (LoggedEvent) -> Bool
    ) async throws -> LoggedEvent? {
        for _ in 0..<rounds {
            let page = try await store.query(EventQuery(after: cursor, limit: 500))
            for logged in page.events {
                cursor = logged.sequence
                if found(logged) {
                    return logged
                }
            }
            await store.waitForAppend(after: cursor, timeout: .seconds(1))
        }
        return nil
    }

    @Test("a silent log raises the absence through one clock tick, dated by the clock")
    func silentLogRaisesAbsence() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(Self.rules.utf8).write(to: URL(fileURLWithPath: rules + "/absence.yaml"))
        let clock = ManualClock()
        var configuration = StoreConfiguration(dataDirectory: directory.path + "/data")
        configuration.synchronous = .normal
        configuration.announcesCheckpoints = false
        let logger = Logger(label: "test")
        let store = try EventStore.open(configuration, logger: logger, clock: clock)
        let group = ServiceGroup(services: store.services, gracefulShutdownSignals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let state = RoutingState(store: store.routing, kinds: ActionRegistry.targetKinds, logger: logger)
            try await state.rebuild()
            let loader = RulesDirectoryLoader(directory: rules, state: state, store: store, logger: logger)
            try await loader.recordInitial(try await loader.installInitial())
            var cursor = try await store.lastSequence()
            let detection = DetectionService(
                log: store,
                identifiers: store.identifiers,
                cursor: StoreDetectionCursor(store: store),
                state: state,
                clock: clock,
                logger: logger
            )
            let detecting = Task { try await detection.run() }
            let t0 = clock.milliseconds
            let trail = CloudEvent(
                id: "1",
                source: "/aws/cloudtrail/eu-west-1",
                type: "aws.cloudtrail",
                data: .json(Array(#"{"eventName":"ListBuckets"}"#.utf8))
            )
            cursor = try await store.append([trail])[0].sequence

            // Not yet due: the service appends nothing of its own.
            clock.advance(by: .seconds(59))
            await store.waitForAppend(after: cursor, timeout: .seconds(2))
            #expect(try await store.lastSequence() == cursor)

            clock.advance(by: .seconds(2))
            let tick = try await Self.next(in: store, after: &cursor) { $0.event.type == DetectionService.tickType }
            #expect(tick?.ingestMilliseconds == t0 + 61_000)
            let alert = try await Self.next(in: store, after: &cursor) { $0.event.type == Alert.eventType }
            let raised = try alert.map { try Alert(event: $0.event) }
            #expect(raised?.kind == .absence && raised?.rule == "audit-stream-silent")
            #expect(raised?.group.first?.value == .string("/aws/cloudtrail/eu-west-1"))

            // One silence, one tick: nothing more is appended while the log stays idle.
            await store.waitForAppend(after: cursor, timeout: .seconds(2))
            #expect(try await store.lastSequence() == cursor)
            detecting.cancel()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
