// SPDX-License-Identifier: Apache-2.0

import Crypto
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import TocsinConsole
import TocsinCore
import TocsinResponse
import TocsinServer
import TocsinTesting

/// The console's routes over an in-memory API without sockets: login, the role check on a forged
/// post, CSRF, the security headers and logout.
struct WebConsoleRouteTests {
    static func key(_ role: Role) -> String { "tsk_console_\(role.rawValue)" }

    struct Fixture {
        let audit = RecordingAudit()
        let routing = OneDeadLetter()
        let router: Router<TocsinRequestContext>

        init(configuration: WebConsole.Configuration = WebConsole.Configuration()) throws {
            let identities = Role.allCases.map { Identity(name: $0.rawValue, roles: [$0], createdAtMilliseconds: 0) }
            let secrets = Role.allCases.map {
                KeySecret(
                    hash: Array(SHA256.hash(data: Array(WebConsoleRouteTests.key($0).utf8))),
                    identity: $0.rawValue
                )
            }
            let access = AccessControl(
                keys: KeyRing(identities: identities, secrets: secrets),
                audit: audit,
                clock: { 1_800_000_000_000 }
            )
            let services = TocsinHTTPServer.Services(log: InMemoryEventLog(), access: access, administration: routing)
            let api = TocsinHTTPServer.makeAPI(services, configuration: ServerConfiguration())
            let console = try WebConsole(
                api: TocsinHTTPServer.makeAPI(services, configuration: ServerConfiguration()).router.buildResponder(),
                log: services.log,
                access: access,
                insights: nil,
                configuration: configuration,
                clock: { 1_800_000_000_000 }
            )
            console.addRoutes(to: api.router)
            router = api.router
        }
    }

    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Logs in with `role`'s key and returns the cookie and the CSRF token of the targets page.
    static func login(_ role: Role, client: some TestClientProtocol) async throws -> (cookie: String, csrf: String) {
        let cookie = try await client.execute(
            uri: "/ui/login",
            method: .post,
            headers: form,
            body: ByteBuffer(string: "key=\(key(role))")
        ) { response in
            #expect(response.status == .seeOther)
            let set = try #require(response.headers[.setCookie])
            #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/ui"))
            return String(set.prefix { $0 != ";" })
        }
        let csrf = try await client.execute(uri: "/ui/targets", method: .get, headers: [.cookie: cookie]) { response in
            #expect(response.status == .ok)
            let html = String(buffer: response.body)
            let marker = try #require(html.split(separator: "name=\"csrf\" value=\"", maxSplits: 1).last)
            return String(marker.prefix { $0 != "\"" })
        }
        return (cookie, csrf)
    }

    @Test("pages without a session send the browser to log in; a wrong key is refused and audited")
    func loginRequired() async throws {
        let fixture = try Fixture()
        try await Application(router: fixture.router).test(.router) { client in
            try await client.execute(uri: "/ui/events", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/ui/login")
            }
            try await client.execute(
                uri: "/ui/login",
                method: .post,
                headers: Self.form,
                body: ByteBuffer(string: "key=tsk_nope")
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.setCookie] == nil)
            }
        }
        #expect(fixture.audit.recorded.map(\.route) == ["/ui/login"])
    }

    @Test("a reader sees no redrive control, and a forged redrive is refused by the API's role check")
    func readerCannotRedrive() async throws {
        let fixture = try Fixture()
        try await Application(router: fixture.router).test(.router) { client in
            let (cookie, csrf) = try await Self.login(.reader, client: client)
            try await client.execute(uri: "/ui/targets", method: .get, headers: [.cookie: cookie]) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("dead-letter-41"))
                #expect(!html.contains("class=\"redrive\""))
                #expect(
                    response.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("frame-ancestors 'none'")
                        == true
                )
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            }
            var headers = Self.form
            headers[.cookie] = cookie
            try await client.execute(
                uri: "/ui/dlq/redrive",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: "csrf=\(csrf)&ids=41")
            ) { response in
                #expect(response.status == .forbidden)
            }
        }
        #expect(fixture.routing.redrives == 0)
        #expect(fixture.audit.recorded.contains { $0.reason == .forbidden && $0.route == "/v1/dlq/redrive" })
    }

    @Test("a responder's redrive needs the session's CSRF token, then acts")
    func responderRedrives() async throws {
        let fixture = try Fixture()
        let routing = fixture.routing
        try await Application(router: fixture.router).test(.router) { client in
            let (cookie, csrf) = try await Self.login(.responder, client: client)
            var headers = Self.form
            headers[.cookie] = cookie
            for body in ["ids=41", "csrf=wrong&ids=41"] {
                try await client.execute(
                    uri: "/ui/dlq/redrive",
                    method: .post,
                    headers: headers,
                    body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .forbidden)
                }
            }
            #expect(routing.redrives == 0)
            var foreign = headers
            foreign[.origin] = "https://elsewhere.example"
            try await client.execute(
                uri: "/ui/dlq/redrive",
                method: .post,
                headers: foreign,
                body: ByteBuffer(string: "csrf=\(csrf)&ids=41")
            ) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(
                uri: "/ui/dlq/redrive",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: "csrf=\(csrf)&ids=41")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/ui/targets?done=redriven")
            }
            try await client.execute(
                uri: "/ui/dlq/redrive",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: "csrf=\(csrf)&ids=42")
            ) { response in
                #expect(response.headers[.location] == "/ui/targets?done=redriven-waiting")
            }
            try await client.execute(
                uri: "/ui/targets?done=redriven-waiting",
                method: .get,
                headers: [.cookie: cookie]
            ) { response in
                #expect(String(buffer: response.body).contains("a target&#39;s circuit is open"))
            }
        }
        #expect(fixture.routing.redrives == 2)
    }

    @Test(
        "an identity that holds its maximum of live streams is refused another with 429",
        .timeLimit(.minutes(3))
    )
    func liveStreamCap() async throws {
        var configuration = WebConsole.Configuration()
        configuration.maximumStreamsPerIdentity = 0
        let fixture = try Fixture(configuration: configuration)
        try await Application(router: fixture.router).test(.router) { client in
            let (cookie, _) = try await Self.login(.reader, client: client)
            try await client.execute(uri: "/ui/events/stream", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "5")
            }
        }
    }

    @Test("logout ends the session on the server: the old cookie no longer opens a page")
    func logout() async throws {
        let fixture = try Fixture()
        try await Application(router: fixture.router).test(.router) { client in
            let (cookie, csrf) = try await Self.login(.admin, client: client)
            var headers = Self.form
            headers[.cookie] = cookie
            try await client.execute(
                uri: "/ui/logout",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: "csrf=\(csrf)")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/ui/targets", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/ui/login")
            }
        }
    }

    @Test("the script and stylesheet are served from the binary")
    func assets() async throws {
        let fixture = try Fixture()
        try await Application(router: fixture.router).test(.router) { client in
            try await client.execute(uri: "/ui/assets/console.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/javascript") == true)
                #expect(String(buffer: response.body).contains("EventSource"))
            }
        }
    }
}

/// Keeps every denial.
final class RecordingAudit: AuthAuditing {
    private let denials = Mutex<[DenialCoalescer.Denial]>([])

    func record(_ denial: DenialCoalescer.Denial) { denials.withLock { $0.append(denial) } }

    var recorded: [DenialCoalescer.Denial] { denials.withLock { $0 } }
}

/// A routing back end with one dead letter (id 41) that counts redrives.
final class OneDeadLetter: RoutingAdministration {
    private let count = Mutex(0)

    var redrives: Int { count.withLock { $0 } }

    func put(
        _ kind: DefinitionKind,
        name: String,
        definition: JSONValue,
        actor: String
    ) async throws -> (
        created: Bool, stored: JSONValue
    ) { (true, definition) }
    func get(_ kind: DefinitionKind, name: String) async throws -> JSONValue? { nil }
    func list(_ kind: DefinitionKind) async throws -> [(name: String, definition: JSONValue)] { [] }
    func delete(_ kind: DefinitionKind, name: String, actor: String) async throws -> Bool { false }
    func deliveries(event: Int64) async throws -> [DeliveryRecord] { [] }
    func deadLetters(_ filter: DeliveryFilter) async throws -> [DeliveryRecord] {
        [
            DeliveryRecord(
                id: 41,
                eventSequence: 7,
                rule: "r",
                target: "t",
                input: nil,
                state: .deadLettered,
                attempts: 3,
                routedMilliseconds: 0,
                nextAttemptMilliseconds: 0,
                firstAttemptMilliseconds: 0,
                lastAttemptMilliseconds: 0,
                lastFailure: nil,
                deadLetterReason: "max-attempts",
                redrives: 0
            )
        ]
    }
    func redrive(_ filter: DeliveryFilter, actor: String) async throws -> RedriveResult {
        count.withLock { $0 += 1 }
        let circuitOpen = filter.ids == [42]
        return RedriveResult(redrivenByTarget: ["hook": 1], openCircuits: circuitOpen ? ["hook"] : [])
    }
    func purge(_ filter: DeliveryFilter, actor: String) async throws -> Int { 0 }
    func blocklist() async throws -> [BlocklistEntry] { [] }
    func blocklistFiles() async throws -> [BlocklistFileStatus] { [] }
}
