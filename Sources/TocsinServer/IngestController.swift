// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TocsinCore
import TocsinMetrics
import TocsinSchema

/// `POST /v1/events`: the CloudEvents HTTP binding in binary, structured and batch modes.
///
/// Answers `202` only after the log has durably committed the events.
struct IngestController: Sendable {
    let log: any EventLog
    let configuration: ServerConfiguration
    let access: AccessControl
    let metrics: IngestMetrics
    /// The schemas events are checked against before the append; `nil` checks nothing.
    let schemas: (any SchemaAdministration)?

    /// How the request carries its event(s), chosen by `Content-Type` as the HTTP binding says.
    enum Mode: Equatable {
        case binary
        case structured
        case batch
    }

    func ingest(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let contentType = request.headers[.contentType]
        let mode = try Self.mode(contentType: contentType, headers: request.headers)
        let body = try await RequestBody.collect(
            request,
            limit: configuration.maxBodyBytes
        )
        let events = try decode(mode: mode, contentType: contentType, headers: request.headers, body: body)
        try access.checkPublish(events.map { LogEntry(event: $0) }, request: request, context: context)
        if let rejection = schemas?.registry.firstRejection(
            in: events,
            parser: JSONParser(limits: configuration.jsonLimits)
        ) {
            throw Problem.schemaViolation(rejection)
        }
        let receipts: [AppendReceipt] = try await IngestTracing.withIngestSpan(
            headers: request.headers,
            events: events,
            route: "/v1/events"
        ) { stamped in
            do {
                return try await log.append(entries: stamped.map { LogEntry(event: $0) })
            } catch let rejection as ComplianceRejection {
                throw Problem.complianceRejected(
                    rejection,
                    entry: mode == .batch ? rejection.entryIndex : nil,
                    stored: "no event of this request was stored"
                )
            } catch {
                context.logger.warning("Append failed; events not acknowledged.", metadata: ["error": "\(error)"])
                throw Problem.unavailable(
                    "the events were not stored; retry with the same ids (duplicates are recognised)",
                    cause: error
                )
            }
        }
        var duplicates = 0
        for receipt in receipts where receipt.isDuplicate {
            duplicates += 1
        }
        metrics.accepted(.events, stored: receipts.count - duplicates, duplicates: duplicates)
        let results = receipts.map { receipt in
            JSONValue.object(
                JSONObject([
                    .init(name: "seq", value: .number(JSONNumber(receipt.sequence))),
                    .init(name: "duplicate", value: .bool(receipt.isDuplicate)),
                ])
            )
        }
        let document: JSONValue =
            mode == .batch
            ? .object(JSONObject([.init(name: "events", value: .array(results))]))
            : results[0]
        return JSONResponse.make(.accepted, document)
    }

    static func mode(contentType: String?, headers: HTTPFields) throws -> Mode {
        let trimmed = MediaType.essence(contentType ?? "")
        if trimmed.hasPrefix("application/cloudevents-batch") {
            guard trimmed == "application/cloudevents-batch+json" else {
                throw unsupported("only the JSON batch format 'application/cloudevents-batch+json' is supported")
            }
            return .batch
        }
        if trimmed.hasPrefix("application/cloudevents") {
            guard trimmed == "application/cloudevents+json" else {
                throw unsupported("only the JSON event format 'application/cloudevents+json' is supported")
            }
            return .structured
        }
        guard headers.contains(where: { $0.name.canonicalName.hasPrefix("ce-") }) else {
            throw unsupported(
                "send 'application/cloudevents+json', 'application/cloudevents-batch+json', or binary mode with ce-* headers"
            )
        }
        return .binary
    }

    private static func unsupported(_ detail: String) -> Problem {
        Problem(
            .unsupportedMediaType,
            code: "unsupported-media-type",
            title: "Unsupported content type",
            detail: detail
        )
    }

    private func decode(mode: Mode, contentType: String?, headers: HTTPFields, body: ByteBuffer) throws -> [CloudEvent]
    {
        let parser = JSONParser(limits: configuration.jsonLimits)
        let decoder = CloudEventDecoder()
        do {
            switch mode {
            case .binary:
                let pairs = headers.map { (name: $0.name.canonicalName, value: $0.value) }
                let bytes = Array(body.readableBytesView)
                return [try decoder.decode(headers: pairs, contentType: contentType, body: bytes, parser: parser)]
            case .structured:
                let value = try body.withUnsafeReadableBytes { try parser.parse(raw: $0) }
                return [try decoder.decode(json: value)]
            case .batch:
                let value = try body.withUnsafeReadableBytes { try parser.parse(raw: $0) }
                if case .array(let elements) = value, elements.count > configuration.maxBatchEvents {
                    throw Problem(
                        .contentTooLarge,
                        code: "batch-too-large",
                        title: "The batch has too many events",
                        detail: "a batch may hold at most \(configuration.maxBatchEvents) events; split it"
                    )
                }
                return try decoder.decode(batch: value)
            }
        } catch let error as JSONParseError {
            throw Problem.invalidJSON(error)
        } catch let error as CloudEventError {
            throw Problem.invalidEvent(error)
        }
    }
}

/// JSON responses written with ``JSONWriter`` (numbers keep their text).
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter().bytes(value)))
        )
    }
}
