// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import TocsinCore
import TocsinRules
import TocsinServer

extension WebConsole {
    /// `GET /ui/events?pattern=`: the latest events (filtered), followed live by the page's script.
    @Sendable func eventsPage(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        guard let session = session(request) else {
            return ConsoleResponses.redirect("/ui/login")
        }
        guard mayRead(session, .readEvents, context: context, route: "/ui/events") else {
            return try refused(session, section: .events, permission: .readEvents)
        }
        let text = request.uri.queryParameters.get("pattern") ?? ""
        var patternError: String?
        var pattern: EventPattern?
        if !text.allSatisfy(\.isWhitespace) {
            do {
                pattern = try EventPattern(text: text)
            } catch {
                patternError = "The pattern does not compile: \(error.message) (at \(error.path))."
            }
        }
        let last = try await log.lastSequence()
        let page = try await log.query(EventQuery(after: max(0, last - 1000), limit: 1000))
        let rows = page.events.reversed().lazy.filter { pattern?.matches($0.matchDocument) ?? true }
            .prefix(configuration.pageRows).map(EventRow.init(logged:))
        let query = text.isEmpty ? "" : "?" + FormFields.encode([("pattern", text)])
        let model = EventsPage(
            chrome: chrome(session, section: .events),
            pattern: text,
            patternError: patternError,
            rows: Array(rows),
            streamHref: "/ui/events/stream" + query,
            maximumRows: configuration.pageRows,
            rowsPerSecond: liveBatcher().maximumRowsPerSecond
        )
        return ConsoleResponses.page(try renderer.render(model, template: "events"))
    }

    /// `GET /ui/events/{seq}`: one event, its chain link and its deliveries.
    @Sendable func eventPage(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        guard let session = session(request) else {
            return ConsoleResponses.redirect("/ui/login")
        }
        guard let seq = context.parameters.get("seq").flatMap({ Int64($0) }), seq > 0 else {
            return try notFound(session, section: .events, message: "Event numbers are positive integers.")
        }
        let answer = try await api.call(.get, "/v1/events/\(seq)", key: session.apiKey, context: context)
        guard answer.isSuccess else {
            return try refusal(answer, session: session, section: .events)
        }
        var previous: JSONValue?
        if seq > 1 {
            let before = try await api.call(.get, "/v1/events/\(seq - 1)", key: session.apiKey, context: context)
            previous = before.isSuccess ? before.body : nil
        }
        var deliveries: [JSONValue]?
        if session.permissions.contains(.readDeliveries) {
            let found = try await api.call(.get, "/v1/deliveries?event=\(seq)", key: session.apiKey, context: context)
            deliveries = found.isSuccess ? found.body["deliveries"]?.items ?? [] : nil
        }
        guard
            let model = EventDetailPage(
                chrome: chrome(session, section: .events),
                event: answer.body,
                previous: previous,
                deliveries: deliveries
            )
        else {
            return try notFound(session, section: .events, message: "The server's answer was not an event.")
        }
        return ConsoleResponses.page(try renderer.render(model, template: "event"))
    }

    /// `GET /ui/incidents`: incidents with the actions the caller's role allows.
    @Sendable func incidentsPage(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        guard let session = session(request) else {
            return ConsoleResponses.redirect("/ui/login")
        }
        let answer = try await api.call(.get, "/v1/incidents?limit=200", key: session.apiKey, context: context)
        guard answer.isSuccess else {
            return try refusal(answer, session: session, section: .incidents)
        }
        let alerts = try await api.call(.get, "/v1/alerts?limit=100", key: session.apiKey, context: context)
        let mayAct = session.permissions.contains(.actOnIncidents)
        let model = IncidentsPage(
            chrome: chrome(session, section: .incidents, request: request),
            incidents: (answer.body["incidents"]?.items ?? []).map { IncidentRow(api: $0, mayAct: mayAct) },
            alerts: alerts.isSuccess ? (alerts.body["alerts"]?.items ?? []).map(AlertRow.init(api:)) : []
        )
        return ConsoleResponses.page(try renderer.render(model, template: "incidents"))
    }

    /// `GET /ui/rules`: rules with their state and match counts.
    @Sendable func rulesPage(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        guard let session = session(request) else {
            return ConsoleResponses.redirect("/ui/login")
        }
        let answer = try await api.call(.get, "/v1/rules", key: session.apiKey, context: context)
        guard answer.isSuccess else {
            return try refusal(answer, session: session, section: .rules)
        }
        let counts = try await insights?.matchCounts() ?? [:]
        let rules = (answer.body["rules"]?.members ?? []).map {
            RuleRow(name: $0.name, definition: $0.value, matches: counts[$0.name] ?? (insights == nil ? nil : 0))
        }
        let model = RulesPage(chrome: chrome(session, section: .rules), rules: rules)
        return ConsoleResponses.page(try renderer.render(model, template: "rules"))
    }

    /// `GET /ui/targets`: targets with breaker states, and the dead-letter queue.
    @Sendable func targetsPage(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        guard let session = session(request) else {
            return ConsoleResponses.redirect("/ui/login")
        }
        let targets = try await api.call(.get, "/v1/targets", key: session.apiKey, context: context)
        guard targets.isSuccess else {
            return try refusal(targets, session: session, section: .targets)
        }
        let letters = try await api.call(.get, "/v1/dlq?limit=200", key: session.apiKey, context: context)
        guard letters.isSuccess else {
            return try refusal(letters, session: session, section: .targets)
        }
        let breakers = try await insights?.breakerStates() ?? [:]
        let model = TargetsPage(
            chrome: chrome(session, section: .targets, request: request),
            targets: (targets.body["targets"]?.members ?? []).map {
                TargetRow(
                    name: $0.name,
                    definition: $0.value,
                    breaker: breakers[$0.name] ?? (insights == nil ? nil : "closed")
                )
            },
            deadLetters: (letters.body["dead_letters"]?.items ?? []).map(DeliveryRow.init(api:)),
            canRedrive: session.permissions.contains(.redriveDeliveries)
        )
        return ConsoleResponses.page(try renderer.render(model, template: "targets"))
    }

    /// `GET /ui/charts`: ingest and delivery rates over the last hour, one point a minute.
    @Sendable func chartsPage(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        guard let session = session(request) else {
            return ConsoleResponses.redirect("/ui/login")
        }
        guard mayRead(session, .readDeliveries, context: context, route: "/ui/charts") else {
            return try refused(session, section: .charts, permission: .readDeliveries)
        }
        var charts: [RateChart] = []
        if let insights {
            let rates = try await insights.rates(now: clock(), bucketMilliseconds: 60_000, buckets: 60)
            charts = [
                RateChart(title: "Events ingested", counts: rates.ingested, bucketSeconds: 60),
                RateChart(title: "Deliveries finished", counts: rates.delivered, bucketSeconds: 60),
            ]
        }
        let model = ChartsPage(chrome: chrome(session, section: .charts), charts: charts)
        return ConsoleResponses.page(try renderer.render(model, template: "charts"))
    }

    /// `GET /ui/audit`: the log's head and its last signed checkpoint.
    @Sendable func auditPage(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        guard let session = session(request) else {
            return ConsoleResponses.redirect("/ui/login")
        }
        return try await auditResponse(session, request: request, context: context, verification: nil)
    }

    func auditResponse(
        _ session: ConsoleSessions.Session,
        request: Request,
        context: TocsinRequestContext,
        verification: ConsoleInsights.Verification?
    ) async throws -> Response {
        guard mayRead(session, .readEvents, context: context, route: "/ui/audit") else {
            return try refused(session, section: .audit, permission: .readEvents)
        }
        let model = AuditPage(
            chrome: chrome(session, section: .audit),
            head: String(try await log.lastSequence()),
            checkpoint: try await insights?.lastCheckpoint(),
            verification: verification,
            canVerify: insights != nil && session.permissions.contains(.verifyAudit)
        )
        return ConsoleResponses.page(try renderer.render(model, template: "audit"))
    }

    /// Checks `permission` with the API's access control (audited like an API refusal).
    func mayRead(
        _ session: ConsoleSessions.Session,
        _ permission: Permission,
        context: TocsinRequestContext,
        route: String
    ) -> Bool {
        access.authorize(
            apiKey: session.apiKey,
            permission: permission,
            address: context.remoteIP,
            method: "GET",
            route: route
        ) != nil
    }

    private func refused(
        _ session: ConsoleSessions.Session,
        section: PageChrome.Section,
        permission: Permission
    ) throws -> Response {
        let message = "Your role may not see this page; it needs the \(permission.rawValue) permission."
        return ConsoleResponses.page(try errorPage(session, section: section, message: message), status: .forbidden)
    }

    private func notFound(
        _ session: ConsoleSessions.Session,
        section: PageChrome.Section,
        message: String
    ) throws
        -> Response
    {
        ConsoleResponses.page(try errorPage(session, section: section, message: message), status: .notFound)
    }

    private func refusal(
        _ answer: InternalAPI.Answer,
        session: ConsoleSessions.Session,
        section: PageChrome.Section
    ) throws -> Response {
        if answer.status == .unauthorized {
            return expire(session)
        }
        let message = "The server refused this: \(answer.problemText)."
        return ConsoleResponses.page(try errorPage(session, section: section, message: message), status: answer.status)
    }
}
