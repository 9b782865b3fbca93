// SPDX-License-Identifier: Apache-2.0

import Crypto
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import TocsinCore
import TocsinResponse
import TocsinServer
import TocsinTesting

/// A router on an in-memory log with one identity per role, a manual clock and a recording
/// audit, for route-level tests without sockets.
struct TestAPI {
    /// The key of the identity holding exactly `role`.
    static func key(_ role: Role) -> String { "tsk_\(role.rawValue)" }
    /// A key no identity has.
    static let unknownKey = "tsk_nobody"

    let clock = ManualClock(now: 1_800_000_000_000)
    let audit = RecordingAudit()
    let ring: KeyRing
    let log: InMemoryEventLog
    let api: TocsinHTTPServer.API

    init(
        log: InMemoryEventLog = InMemoryEventLog(),
        extraIdentities: [(Identity, String)] = [],
        configure: (inout ServerConfiguration) -> Void = { _ in },
        routing: Bool = true,
        tokens: (any BearerTokenVerifier)? = nil,
        incidents: any IncidentAdministration = MemoryIncidents(),
        replays: any ReplayAdministration = MemoryReplays(),
        schemas: any SchemaAdministration = MemorySchemas(),
        complianceScan: any ComplianceScanning = RecordingComplianceScan()
    ) {
        var identities = Role.allCases.map { Identity(name: $0.rawValue, roles: [$0], createdAtMilliseconds: 0) }
        var secrets = Role.allCases.map { KeySecret(hash: Self.hash(Self.key($0)), identity: $0.rawValue) }
        for (identity, key) in extraIdentities {
            identities.append(identity)
            secrets.append(KeySecret(hash: Self.hash(key), identity: identity.name))
        }
        ring = KeyRing(identities: identities, secrets: secrets)
        self.log = log
        var configuration = ServerConfiguration()
        configuration.maxBodyBytes = 4096
        configure(&configuration)
        let clock = self.clock
        let access = AccessControl(
            keys: ring,
            requiresAuthentication: configuration.requiresAuthentication,
            audit: audit,
            tokens: tokens,
            limits: configuration.limits,
            clock: { clock.now }
        )
        var services = TocsinHTTPServer.Services(
            log: log,
            access: access,
            administration: routing ? EmptyRouting() : nil,
            keys: routing ? EmptyKeys() : nil,
            incidents: routing ? incidents : nil
        )
        services.erasures = routing ? RecordingErasures() : nil
        services.projections = routing ? MemoryProjections() : nil
        services.replays = routing ? replays : nil
        services.schemas = routing ? schemas : nil
        services.complianceScan = routing ? complianceScan : nil
        api = TocsinHTTPServer.makeAPI(services, configuration: configuration)
    }

    var application: some ApplicationProtocol { Application(router: api.router) }

    static func hash(_ key: String) -> [UInt8] { Array(SHA256.hash(data: Array(key.utf8))) }

    static func json(_ buffer: ByteBuffer) -> JSONValue? {
        try? JSONParser().parse(Array(buffer.readableBytesView))
    }

    /// A route's answer: status, headers and the body as JSON.
    struct Answer {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let json: JSONValue?
    }

    /// Sends a request with `role`'s key and a JSON (or `contentType`) body.
    static func send(
        _ client: some TestClientProtocol,
        _ uri: String,
        method: HTTPRequest.Method,
        role: Role,
        contentType: String = "application/json",
        body: String?
    ) async throws -> Answer {
        try await client.execute(
            uri: uri,
            method: method,
            headers: [.authorization: "Bearer \(key(role))", .contentType: contentType],
            body: body.map { ByteBuffer(string: $0) }
        ) { response in
            Answer(status: response.status, headers: response.headers, json: json(response.body))
        }
    }
}

/// Unix milliseconds that only move when a test says so.
final class ManualClock: Sendable {
    private let value: Mutex<Int64>

    init(now: Int64) { value = Mutex(now) }

    var now: Int64 { value.withLock { $0 } }

    func advance(milliseconds: Int64) { value.withLock { $0 += milliseconds } }
}

/// Keeps every denial the API reports.
final class RecordingAudit: AuthAuditing {
    private let denials = Mutex<[DenialCoalescer.Denial]>([])

    func record(_ denial: DenialCoalescer.Denial) { denials.withLock { $0.append(denial) } }

    var recorded: [DenialCoalescer.Denial] { denials.withLock { $0 } }
}

/// A routing back end with nothing in it: the route tests only need the handlers to answer.
struct EmptyRouting: RoutingAdministration {
    func put(
        _ kind: DefinitionKind,
        name: String,
        definition: JSONValue,
        actor: String
    ) async throws -> (created: Bool, stored: JSONValue) {
        (true, definition)
    }
    func get(_ kind: DefinitionKind, name: String) async throws -> JSONValue? { nil }
    func list(_ kind: DefinitionKind) async throws -> [(name: String, definition: JSONValue)] { [] }
    func delete(_ kind: DefinitionKind, name: String, actor: String) async throws -> Bool { false }
    func deliveries(event: Int64) async throws -> [DeliveryRecord] { [] }
    func deadLetters(_ filter: DeliveryFilter) async throws -> [DeliveryRecord] { [] }
    func redrive(_ filter: DeliveryFilter, actor: String) async throws -> RedriveResult {
        RedriveResult(redrivenByTarget: [:], openCircuits: [])
    }
    func purge(_ filter: DeliveryFilter, actor: String) async throws -> Int { 0 }
    func blocklist() async throws -> [BlocklistEntry] { [] }
    func blocklistFiles() async throws -> [BlocklistFileStatus] { [] }
}

/// A keys back end with nothing in it.
struct EmptyKeys: KeyAdministration {
    func create(_ identity: Identity, actor: String) async throws -> String? { nil }
    func list() async throws -> [Identity] { [] }
    func revoke(name: String, actor: String) async throws -> Bool { false }
    func rotate(name: String, graceSeconds: Int64, actor: String) async throws -> String? { nil }
}
