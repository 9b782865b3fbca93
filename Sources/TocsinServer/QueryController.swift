// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import TocsinCore

/// `GET /v1/events`, `GET /v1/events/{seq}` and the live tail `GET /v1/stream` (Server-Sent Events).
struct QueryController: Sendable {
    static let lastEventID = HTTPField.Name("Last-Event-ID").unsafelyUnwrapped
    let log: any EventLog
    let configuration: ServerConfiguration
    let streams: StreamSlots

    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        let query = try parseQuery(request.uri.queryParameters)
        let page = try await Problem.archived { try await log.query(query) }
        let next: JSONValue = page.nextCursor.map { .number(JSONNumber($0)) } ?? .null
        return JSONResponse.make(
            .ok,
            .object(
                JSONObject([
                    .init(name: "events", value: .array(page.events.map(\.jsonValue))),
                    .init(name: "next", value: next),
                ])
            )
        )
    }

    func get(_ request: Request, context: some RequestContext) async throws -> Response {
        guard let text = context.parameters.get("seq"), let sequence = Int64(text), sequence > 0 else {
            throw Problem.invalidParameter("seq", "must be a positive integer sequence number")
        }
        guard let event = try await Problem.archived({ try await log.event(at: sequence) }) else {
            throw Problem(
                .notFound,
                code: "not-found",
                title: "No such event",
                detail: "no event has sequence number \(sequence)"
            )
        }
        return JSONResponse.make(.ok, event.jsonValue)
    }

    /// Streams events after the cursor, then follows new commits.
    ///
    /// `Last-Event-ID` wins over `?after=`;
    /// with neither, the stream starts at the current end of the log.
    func stream(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        guard let slot = streams.acquire(context.caller.name) else {
            throw Problem(
                .tooManyRequests,
                code: "too-many-streams",
                title: "Too many live streams",
                detail: "this identity already has \(streams.maximumPerIdentity) live streams open; close one first",
                headers: [.retryAfter: "5"]
            )
        }
        var query = try parseQuery(request.uri.queryParameters)
        if let lastEventID = request.headers[Self.lastEventID] {
            guard let cursor = Int64(lastEventID), cursor >= 0 else {
                throw Problem.invalidParameter("Last-Event-ID", "must be a sequence number")
            }
            query.after = cursor
        } else if request.uri.queryParameters.get("after") == nil {
            query.after = try await log.lastSequence()
        }
        query.limit = min(query.limit, 500)
        let start = query
        let log = self.log
        let keepAlive = configuration.streamKeepAlive
        let body = ResponseBody { writer in
            defer { withExtendedLifetime(slot) {} }
            try await Self.follow(log: log, query: start, keepAlive: keepAlive, writer: &writer)
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: body
        )
    }

    @concurrent private static func follow(
        log: any EventLog,
        query: EventQuery,
        keepAlive: Duration,
        writer: inout any ResponseBodyWriter
    ) async throws {
        var query = query
        var idle: Duration = .zero
        let tick: Duration = .seconds(1)
        try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let latest = try await log.lastSequence()
            let page = try await log.query(query)
            if page.events.isEmpty, let next = page.nextCursor {
                // A page over archives that found nothing within its budget: go on from there.
                query.after = next
                continue
            }
            if !page.events.isEmpty {
                var buffer = ByteBuffer()
                for event in page.events {
                    buffer.writeString("id: \(event.sequence)\nevent: cloudevent\ndata: ")
                    buffer.writeBytes(JSONWriter().bytes(event.jsonValue))
                    buffer.writeString("\n\n")
                }
                try await writer.write(buffer)
                query.after = page.events[page.events.count - 1].sequence
                idle = .zero
                continue
            }
            query.after = max(query.after, latest)
            await log.waitForAppend(after: latest, timeout: tick)
            idle += tick
            if idle >= keepAlive {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                idle = .zero
            }
        }
    }

    private func parseQuery(_ parameters: Parameters) throws -> EventQuery {
        var query = EventQuery()
        query.source = parameters.get("source")
        query.type = parameters.get("type")
        query.subject = parameters.get("subject")
        query.timeFrom = try parameters.get("from").map { try Self.timestamp($0, "from") }
        query.timeTo = try parameters.get("to").map { try Self.timestamp($0, "to") }
        if let after = parameters.get("after") {
            guard let cursor = Int64(after), cursor >= 0 else {
                throw Problem.invalidParameter("after", "must be a sequence number (0 or more)")
            }
            query.after = cursor
        }
        if let limit = parameters.get("limit") {
            guard let size = Int(limit), (1...configuration.maxPageSize).contains(size) else {
                throw Problem.invalidParameter("limit", "must be an integer from 1 to \(configuration.maxPageSize)")
            }
            query.limit = size
        }
        return query
    }

    private static func timestamp(_ text: String, _ name: String) throws -> Int64 {
        guard let time = Timestamp(rfc3339: text) else {
            throw Problem.invalidParameter(name, "must be an RFC 3339 timestamp such as 2026-11-25T10:00:00Z")
        }
        return time.epochMilliseconds
    }
}
