// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization
import TocsinCore
import TocsinRules
import TocsinServer

extension WebConsole {
    /// A batcher with the console's live settings.
    func liveBatcher() -> LiveBatcher<EventRow> {
        LiveBatcher(
            intervalMilliseconds: configuration.liveIntervalMilliseconds,
            maximumRows: configuration.liveMaximumRows
        )
    }

    /// `GET /ui/events/stream?pattern=`: new events as Server-Sent Events, coalesced into batches.
    ///
    /// Each batch is `event: batch`, `data: {"rows": […], "skipped": n}`. The stream ends when the session ends
    /// or the key is no longer accepted. One identity holds at most
    /// ``Configuration/maximumStreamsPerIdentity`` streams at once; more are refused with `429`.
    @Sendable func eventStream(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        guard let session = session(request) else {
            return Response(status: .unauthorized, headers: ConsoleResponses.securityHeaders)
        }
        guard mayRead(session, .readEvents, context: context, route: "/ui/events/stream") else {
            return Response(status: .forbidden, headers: ConsoleResponses.securityHeaders)
        }
        var pattern: EventPattern?
        if let text = request.uri.queryParameters.get("pattern"), !text.allSatisfy(\.isWhitespace) {
            guard let compiled = try? EventPattern(text: text) else {
                return Response(status: .badRequest, headers: ConsoleResponses.securityHeaders)
            }
            pattern = compiled
        }
        guard let slot = streams.acquire(session.identity) else {
            var headers = ConsoleResponses.securityHeaders
            headers[.retryAfter] = "5"
            return Response(status: .tooManyRequests, headers: headers)
        }
        let start = try await log.lastSequence()
        let filter = pattern
        var headers = ConsoleResponses.securityHeaders
        headers[.contentType] = "text/event-stream"
        let body = ResponseBody { [self] writer in
            defer { withExtendedLifetime(slot) {} }
            try await follow(
                session: session,
                after: start,
                pattern: filter,
                address: context.remoteIP,
                writer: &writer
            )
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Reads the log from `after`, feeds the batcher, and writes a batch whenever one is due.
    @concurrent private func follow(
        session: ConsoleSessions.Session,
        after: Int64,
        pattern: EventPattern?,
        address: String,
        writer: inout any ResponseBodyWriter
    ) async throws {
        var cursor = after
        var batcher = liveBatcher()
        var lastCheck = clock()
        var lastWrite = lastCheck
        try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let page = try await log.query(EventQuery(after: cursor, limit: 500))
            if let last = page.events.last {
                cursor = last.sequence
                batcher.add(page.events.lazy.filter { pattern?.matches($0.matchDocument) ?? true }.map(EventRow.init))
            }
            let now = clock()
            if now - lastCheck >= configuration.liveRecheckMilliseconds {
                guard isLive(session, now: now, address: address) else {
                    return
                }
                lastCheck = now
            }
            if let batch = batcher.flush(now: now) {
                try await writer.write(Self.encode(batch))
                lastWrite = now
            } else if now - lastWrite >= 15_000 {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                lastWrite = now
            }
            if page.nextCursor != nil {
                continue
            }
            if let due = batcher.nextFlush() {
                try await Task.sleep(for: .milliseconds(max(1, due - clock())))
            } else {
                await log.waitForAppend(after: cursor, timeout: .seconds(1))
            }
        }
    }

    /// Whether the session is still open and its key still holds `events:read`.
    private func isLive(_ session: ConsoleSessions.Session, now: Int64, address: String) -> Bool {
        guard sessions.withLock({ $0.contains(id: session.id, now: now) }) else {
            return false
        }
        return access.authorize(
            apiKey: session.apiKey,
            permission: .readEvents,
            address: address,
            method: "GET",
            route: "/ui/events/stream"
        ) != nil
    }

    private static func encode(_ batch: LiveBatcher<EventRow>.Batch) -> ByteBuffer {
        let document = JSONValue.object(
            JSONObject([
                .init(name: "rows", value: .array(batch.rows.map(\.json))),
                .init(name: "skipped", value: .number(JSONNumber(Int64(batch.skipped)))),
            ])
        )
        var buffer = ByteBuffer(string: "event: batch\ndata: ")
        buffer.writeBytes(JSONWriter().bytes(document))
        buffer.writeString("\n\n")
        return buffer
    }
}
