// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import Synchronization
import TocsinCore
import TocsinServer

extension WebConsole {
    /// `POST /ui/login`: checks the key with the API's key ring and opens a session.
    @Sendable func login(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let fields = try await form(request)
        guard let key = fields["key"]?.trimmedWhitespace, !key.isEmpty else {
            return try loginPage(error: "Enter an API key.", status: .badRequest)
        }
        guard
            let principal = access.authorize(
                apiKey: key,
                permission: nil,
                address: context.remoteIP,
                method: "POST",
                route: "/ui/login"
            )
        else {
            return try loginPage(
                error: "That key was refused: it is unknown, revoked or expired. Ask an admin for a key.",
                status: .unauthorized
            )
        }
        let now = clock()
        let bytes = random(ConsoleSessions.randomByteCount)
        let session = sessions.withLock {
            $0.create(
                apiKey: key,
                identity: principal.name,
                permissions: principal.permissions,
                now: now,
                random: bytes
            )
        }
        let cookie = SessionCookie.set(
            id: session.id,
            maxAgeSeconds: configuration.sessions.absoluteMilliseconds / 1000,
            secure: configuration.secureCookies
        )
        return ConsoleResponses.redirect("/ui/events", cookie: cookie)
    }

    /// `POST /ui/logout`: ends the session on the server and clears the cookie.
    @Sendable func logout(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let session: ConsoleSessions.Session
        switch try await formSession(request, context: context) {
        case .failure(let early): return early.response
        case .success(let found): session = found.0
        }
        _ = sessions.withLock { $0.remove(id: session.id) }
        return ConsoleResponses.redirect("/ui/login", cookie: SessionCookie.clear(secure: configuration.secureCookies))
    }

    /// `POST /ui/incidents/{id}/{verb}`: acknowledge, assign or close, through the API.
    @Sendable func actOnIncident(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let session: ConsoleSessions.Session
        let fields: FormFields
        switch try await formSession(request, context: context) {
        case .failure(let early): return early.response
        case .success(let found): (session, fields) = found
        }
        let id = context.parameters.get("id") ?? ""
        let verb = context.parameters.get("verb") ?? ""
        guard Int64(id) != nil, let notice = Self.incidentNotices[verb] else {
            return ConsoleResponses.page(
                try errorPage(session, section: .incidents, message: "No such incident action."),
                status: .notFound
            )
        }
        var members: [JSONObject.Member] = [.init(name: "note", value: .string("via the web console"))]
        if verb == "assign" {
            members.append(.init(name: "assignee", value: .string(fields["assignee"] ?? "")))
        }
        let answer = try await api.call(
            .post,
            "/v1/incidents/\(id)/\(verb)",
            key: session.apiKey,
            body: .object(JSONObject(members)),
            context: context
        )
        return try finish(answer, session: session, section: .incidents, notice: notice, page: "/ui/incidents")
    }

    /// `POST /ui/dlq/redrive` with `ids=` or `all=true`, through the API.
    @Sendable func redrive(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let session: ConsoleSessions.Session
        let fields: FormFields
        switch try await formSession(request, context: context) {
        case .failure(let early): return early.response
        case .success(let found): (session, fields) = found
        }
        let selector: JSONObject.Member
        if fields["all"] == "true" {
            selector = .init(name: "all", value: .bool(true))
        } else {
            let ids = (fields["ids"] ?? "").split(separator: ",").compactMap { Int64($0) }
            selector = .init(name: "ids", value: .array(ids.map { .number(JSONNumber($0)) }))
        }
        let answer = try await api.call(
            .post,
            "/v1/dlq/redrive",
            key: session.apiKey,
            body: .object(JSONObject([selector])),
            context: context
        )
        var waiting = false
        if case .array(let targets) = answer.body["targets"] {
            waiting = targets.contains { $0["circuit"]?.stringValue == "open" }
        }
        return try finish(
            answer,
            session: session,
            section: .targets,
            notice: waiting ? .redrivenBehindOpenCircuit : .redriven,
            page: "/ui/targets"
        )
    }

    /// `POST /ui/audit/verify`: re-walks the chain, for callers holding `audit:verify`.
    @Sendable func verify(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let session: ConsoleSessions.Session
        switch try await formSession(request, context: context) {
        case .failure(let early): return early.response
        case .success(let found): session = found.0
        }
        guard
            access.authorize(
                apiKey: session.apiKey,
                permission: .verifyAudit,
                address: context.remoteIP,
                method: "POST",
                route: "/ui/audit/verify"
            ) != nil
        else {
            let message = "Your role may not verify the chain; this needs the audit:verify permission (admin)."
            return ConsoleResponses.page(try errorPage(session, section: .audit, message: message), status: .forbidden)
        }
        let verification = try await insights?.verify()
        return try await auditResponse(session, request: request, context: context, verification: verification)
    }

    private static let incidentNotices: [String: ConsoleNotice] = [
        "acknowledge": .acknowledged,
        "assign": .assigned,
        "close": .closed,
    ]

    /// After an action: back to the page on success; the API's refusal, with its status, otherwise.
    private func finish(
        _ answer: InternalAPI.Answer,
        session: ConsoleSessions.Session,
        section: PageChrome.Section,
        notice: ConsoleNotice,
        page: String
    ) throws -> Response {
        if answer.isSuccess {
            return ConsoleResponses.redirect("\(page)?done=\(notice.rawValue)")
        }
        if answer.status == .unauthorized {
            return expire(session)
        }
        let message = "The server refused this: \(answer.problemText)."
        return ConsoleResponses.page(try errorPage(session, section: section, message: message), status: answer.status)
    }
}
