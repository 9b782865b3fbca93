// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinTesting

/// An action context that records what the actions asked for and answers as told.
final class RecordingContext: ActionContext {
    let clock: ManualClock
    let recording = Mutex<[OutboundRequest]>([])
    let programs = Mutex<[(command: String, input: [UInt8])]>([])
    let postOutcome: AttemptOutcome
    let runOutcome: AttemptOutcome
    let memory: MemoryBlocklist

    init(
        clock: ManualClock = ManualClock(),
        postOutcome: AttemptOutcome = .succeeded(status: 200),
        runOutcome: AttemptOutcome = .succeeded(status: nil),
        serverAddresses: [IPRange] = []
    ) {
        self.clock = clock
        self.postOutcome = postOutcome
        self.runOutcome = runOutcome
        self.memory = MemoryBlocklist(serverAddresses: serverAddresses)
    }

    var now: WallInstant { clock.now }
    var blocklist: any BlocklistService { memory }
    var posts: [OutboundRequest] { recording.withLock { $0 } }

    func post(_ request: OutboundRequest) async -> AttemptOutcome {
        recording.withLock { $0.append(request) }
        return postOutcome
    }

    func run(command: String, arguments: [String], input: [UInt8], timeoutMilliseconds: Int64) async -> AttemptOutcome {
        programs.withLock { $0.append((command, input)) }
        return runOutcome
    }

    func raise(_ alert: Alert) async throws -> (id: String, sequence: Int64) {
        ("alert-1", 99)
    }

    func revokeKey(name: String, actor: String) async -> Result<Bool, AttemptFailure> {
        .success(true)
    }
}

/// A blocklist kept in memory whose `writeFile` writes the real nftables text to the path.
final class MemoryBlocklist: BlocklistService {
    let entries = Mutex<[String: BlocklistEntry]>([:])
    let now = Mutex<Int64>(0)
    let serverAddresses: [IPRange]

    init(serverAddresses: [IPRange]) {
        self.serverAddresses = serverAddresses
    }

    func activeEntries(nowMilliseconds: Int64) async throws -> [BlocklistEntry] {
        now.withLock { $0 = nowMilliseconds }
        return entries.withLock { stored in
            stored.values.filter { $0.expiresMilliseconds > nowMilliseconds }.sorted { $0.entry < $1.entry }
        }
    }

    func add(_ entry: BlocklistEntry, maxEntries: Int) async throws -> Bool {
        entries.withLock { stored in
            let active = stored.values.filter { $0.expiresMilliseconds > entry.addedMilliseconds }
            guard active.count < maxEntries || active.contains(where: { $0.entry == entry.entry }) else {
                return false
            }
            stored[entry.entry] = entry
            return true
        }
    }

    func writeFile(_ path: String, policy: BlocklistPolicy) async throws {
        let active = try await activeEntries(nowMilliseconds: now.withLock { $0 })
        try BlocklistFormat.nftables(policy.validated(active).valid).write(
            toFile: path,
            atomically: true,
            encoding: .utf8
        )
    }
}

/// Requests for the actions' tests.
enum Requests {
    static let parser = JSONParser()

    static func target(_ json: String, name: String = "t") throws -> TargetDefinition {
        try TargetDefinition(name: name, json: try parser.parse(json), kinds: ActionRegistry.targetKinds)
    }

    static func event(subject: String = "root", data: String = #"{"ip":"203.0.113.9"}"#) -> LoggedEvent {
        let event = CloudEvent(
            id: "e-1",
            source: "/ssh/bastion-1",
            type: "ssh.login.failed",
            dataContentType: "application/json",
            subject: subject,
            time: Timestamp(rfc3339: "2026-11-25T10:00:00Z"),
            data: .json(Array(data.utf8))
        )
        return LoggedEvent(sequence: 7, event: event, ingestMilliseconds: 1_000, hash: [])
    }

    static func request(_ target: TargetDefinition, logged: LoggedEvent = event()) -> ActionRequest {
        let delivery = DeliveryRecord(
            id: 1,
            eventSequence: logged.sequence,
            rule: "ssh",
            target: target.name,
            input: nil,
            state: .pending,
            attempts: 0,
            routedMilliseconds: 0,
            nextAttemptMilliseconds: 0,
            firstAttemptMilliseconds: nil,
            lastAttemptMilliseconds: nil,
            lastFailure: nil,
            deadLetterReason: nil,
            redrives: 0
        )
        return ActionRequest(
            delivery: delivery,
            target: target,
            logged: logged,
            event: logged.matchDocument,
            isAlertTrigger: false,
            transformed: nil
        )
    }

    static let redactor = SecretRedactor(keyBytes: Array(repeating: 1, count: 32))
}
