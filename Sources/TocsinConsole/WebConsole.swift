// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
public import Hummingbird
import NIOCore
import Synchronization
public import TocsinCore
public import TocsinServer

/// The web console at `/ui`: server-rendered pages over the `/v1` API, with a session cookie that
/// holds the user's API key server-side.
///
/// Every read and action goes through the API's own router with the session's key, so the console
/// can do exactly what that key can do with curl; the pages only hide the controls a role lacks.
public final class WebConsole: Sendable {
    /// Settings of the console.
    public struct Configuration: Sendable {
        /// Session lifetimes and the table's size.
        public var sessions = ConsoleSessions.Configuration()
        /// Whether cookies are marked `Secure` (set when the server speaks TLS).
        public var secureCookies = false
        /// The least time between two live batches, in milliseconds (default 500).
        public var liveIntervalMilliseconds: Int64 = 500
        /// The most rows in one live batch (default 20), so at most 40 rows a second by default.
        public var liveMaximumRows = 20
        /// The most rows the events page keeps (default 200).
        public var pageRows = 200
        /// The largest API answer the console reads (default 8 MiB).
        public var maximumAnswerBytes = 8 << 20
        /// How often a live stream re-checks its session and key, in milliseconds (default 5 s).
        public var liveRecheckMilliseconds: Int64 = 5000
        /// The most live streams one identity may hold open at once across its sessions (default 8, as
        /// `--max-streams` for the API).
        public var maximumStreamsPerIdentity = 8

        /// Creates the defaults.
        public init() {}
    }

    let api: InternalAPI
    let log: any EventLog
    let access: AccessControl
    let insights: (any ConsoleInsightsProvider)?
    let configuration: Configuration
    let clock: @Sendable () -> Int64
    let random: @Sendable (Int) -> [UInt8]
    let renderer: ConsoleRenderer
    let sessions: Mutex<ConsoleSessions>
    let streams: StreamSlots

    /// Creates the console.
    ///
    /// - Parameters:
    ///   - api: A responder of the `/v1` API (its own instance of the router), called in-process.
    ///   - log: The event log, for the live stream.
    ///   - access: The API's access control: the console authenticates keys with it.
    ///   - insights: Rates, breaker states, match counts and the audit chain; `nil` leaves them out.
    ///   - configuration: The settings.
    ///   - clock: Unix milliseconds now.
    ///   - random: `n` bytes from a cryptographic generator (session ids and CSRF tokens).
    /// - Throws: ``ConsoleError`` when an embedded template does not parse.
    public init(
        api: RouterResponder<TocsinRequestContext>,
        log: any EventLog,
        access: AccessControl,
        insights: (any ConsoleInsightsProvider)?,
        configuration: Configuration = Configuration(),
        clock: @escaping @Sendable () -> Int64,
        random: @escaping @Sendable (Int) -> [UInt8] = WebConsole.systemRandom
    ) throws {
        self.api = InternalAPI(responder: api, maximumBodyBytes: configuration.maximumAnswerBytes)
        self.log = log
        self.access = access
        self.insights = insights
        self.configuration = configuration
        self.clock = clock
        self.random = random
        self.renderer = try ConsoleRenderer()
        self.sessions = Mutex(ConsoleSessions(configuration: configuration.sessions))
        self.streams = StreamSlots(maximumPerIdentity: configuration.maximumStreamsPerIdentity)
    }

    /// `n` bytes from the system's cryptographic generator.
    public static func systemRandom(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Adds the console's routes under `/ui` to `router`.
    public func addRoutes(to router: Router<TocsinRequestContext>) {
        router.get("/ui") { _, _ in ConsoleResponses.redirect("/ui/events") }
        let ui = router.group("ui")
        ui.get("assets/console.css") { _, _ in
            ConsoleResponses.asset(ConsoleAssets.stylesheet, contentType: "text/css; charset=utf-8")
        }
        ui.get("assets/console.js") { _, _ in
            ConsoleResponses.asset(ConsoleAssets.script, contentType: "text/javascript; charset=utf-8")
        }
        ui.get("login") { [self] _, _ in try loginPage(error: nil) }
        ui.post("login", use: login)
        ui.post("logout", use: logout)
        ui.get("events", use: eventsPage)
        ui.get("events/stream", use: eventStream)
        ui.get("events/:seq", use: eventPage)
        ui.get("incidents", use: incidentsPage)
        ui.post("incidents/:id/:verb", use: actOnIncident)
        ui.get("rules", use: rulesPage)
        ui.get("targets", use: targetsPage)
        ui.post("dlq/redrive", use: redrive)
        ui.get("charts", use: chartsPage)
        ui.get("audit", use: auditPage)
        ui.post("audit/verify", use: verify)
    }

    // MARK: Sessions

    /// The session the request's cookie names, if it is live.
    func session(_ request: Request) -> ConsoleSessions.Session? {
        guard let id = SessionCookie.id(inCookieHeader: request.headers[.cookie]) else {
            return nil
        }
        let now = clock()
        guard case .valid(let session) = sessions.withLock({ $0.lookup(id: id, now: now) }) else {
            return nil
        }
        return session
    }

    /// The session of a form post whose CSRF token checks, with the form's fields.
    ///
    /// - Returns: The session and fields, or the response to send instead (login, or 403).
    func formSession(
        _ request: Request,
        context: TocsinRequestContext
    ) async throws -> Result<(ConsoleSessions.Session, FormFields), ResponseOnly> {
        guard let session = session(request) else {
            return .failure(ResponseOnly(ConsoleResponses.redirect("/ui/login")))
        }
        let fields = try await form(request)
        let verdict = CSRFCheck.verify(
            sessionToken: session.csrfToken,
            formToken: fields["csrf"],
            origin: request.headers[.origin],
            host: request.head.authority ?? request.headers[HTTPField.Name("Host").unsafelyUnwrapped]
        )
        guard verdict == .allowed else {
            let page = try errorPage(
                session,
                section: .events,
                message: "This form is out of date or did not come from the console; reload the page and try again."
            )
            return .failure(ResponseOnly(ConsoleResponses.page(page, status: .forbidden)))
        }
        return .success((session, fields))
    }

    /// Reads a form body (at most 64 KiB).
    func form(_ request: Request) async throws -> FormFields {
        var body = try await request.body.collect(upTo: 64 << 10)
        return FormFields(body.readString(length: body.readableBytes) ?? "")
    }

    /// Ends the session of a key the API no longer accepts and sends the user to log in.
    func expire(_ session: ConsoleSessions.Session) -> Response {
        sessions.withLock { $0.remove(apiKey: session.apiKey) }
        return ConsoleResponses.redirect("/ui/login", cookie: SessionCookie.clear(secure: configuration.secureCookies))
    }

    func chrome(
        _ session: ConsoleSessions.Session,
        section: PageChrome.Section,
        request: Request? = nil
    ) -> PageChrome {
        let notice = request?.uri.queryParameters.get("done").flatMap(ConsoleNotice.init(rawValue:))?.text
        return PageChrome(section: section, identity: session.identity, csrf: session.csrfToken, notice: notice)
    }

    func errorPage(_ session: ConsoleSessions.Session, section: PageChrome.Section, message: String) throws -> String {
        try renderer.render(ErrorPage(chrome: chrome(session, section: section), message: message), template: "error")
    }

    func loginPage(error: String?, status: HTTPResponse.Status = .ok) throws -> Response {
        ConsoleResponses.page(try renderer.render(LoginPage(error: error), template: "login"), status: status)
    }
}

/// A response that ends a handler early.
struct ResponseOnly: Error {
    let response: Response

    init(_ response: Response) {
        self.response = response
    }
}

/// The login page.
struct LoginPage: Sendable {
    var error: String?
}

/// A page that only says what went wrong.
struct ErrorPage: Sendable {
    var chrome: PageChrome
    var message: String
}
