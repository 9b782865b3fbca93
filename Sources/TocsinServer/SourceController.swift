// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TocsinCore
import TocsinMetrics
import TocsinSchema
import TocsinSources

/// `POST /v1/sources/{format}`: native records (one, an array, the provider's wrapper, NDJSON, text
/// lines, or any of these gzipped) normalised and appended; bad records are reported and skipped.
///
/// The body is checked whole first (decompressed size, record count), then read and appended a
/// chunk at a time, so memory is bounded by the chunk. Answers `202` once every good record is
/// durable, with counts and the first refused records' positions.
struct SourceController: Sendable {
    let log: any EventLog
    let configuration: ServerConfiguration
    let access: AccessControl
    let enricher: (any OCSFEnricher)?
    let metrics: IngestMetrics
    /// The schemas records are checked against before the first append; `nil` checks nothing.
    let schemas: (any SchemaAdministration)?

    /// Records per append (one group commit each).
    static let appendChunk = 2000
    /// Data bytes per append, at most about.
    static let appendChunkBytes = 8 * 1024 * 1024

    func ingest(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let format = try Self.format(context)
        let cluster = try Self.cluster(request, format: format)
        let decoder = SourceDecoder(
            format: format,
            referenceMilliseconds: access.now,
            limits: limits,
            enricher: enricher,
            cluster: cluster
        )
        let body = Array(
            try await RequestBody.collect(
                request,
                limit: configuration.maxSourceBodyBytes
            ).readableBytesView
        )
        var reader = try makeReader(decoder, body: body, format: format)
        let registry = schemas?.registry
        let checksSchemas = registry?.hasSchemas ?? false
        if context.caller.scope != nil || checksSchemas {
            // A scope, or a schema, refuses the whole request when any record falls outside it, so
            // every record is checked before the first append (a second pass keeps memory bounded).
            var check = try makeReader(decoder, body: body, format: format)
            let parser = JSONParser(limits: limits.json)
            while let chunk = try next(&check, format: format) {
                try access.checkPublish(chunk.entries, request: request, context: context)
                if checksSchemas,
                    var rejection = registry?.firstRejection(in: chunk.entries.map(\.event), parser: parser)
                {
                    rejection.index = chunk.positions[rejection.index].index
                    throw Problem.schemaViolation(rejection)
                }
            }
        }
        let counts = try await IngestTracing.withSourceSpan(
            headers: request.headers,
            route: "/v1/sources/\(format.rawValue)"
        ) { stamp in
            var counts = Counts()
            while true {
                try Self.stopIfShuttingDown(next: counts.read)
                guard var chunk = try next(&reader, format: format) else {
                    break
                }
                if !chunk.entries.isEmpty {
                    try access.checkPublish(chunk.entries, request: request, context: context)
                    chunk.entries = chunk.entries.map(stamp)
                    try await append(chunk, counts: &counts, context: context)
                }
                counts.read = (chunk.positions.last?.index ?? counts.read - 1) + 1
            }
            return counts
        }
        let errors = JSONValue.array(reader.rejected.map(Self.errorJSON))
        if counts.stored == 0 && reader.rejectedCount > 0 {
            throw Problem(
                .badRequest,
                code: "no-valid-records",
                title: "No record in the body could be read",
                detail: "every \(format.rawValue) record was refused; 'errors' says where and why",
                extensions: [
                    .init(name: "rejected", value: Self.number(reader.rejectedCount)),
                    .init(name: "errors", value: errors),
                ]
            )
        }
        var members: [JSONObject.Member] = [
            .init(name: "format", value: .string(format.rawValue)),
            .init(name: "accepted", value: Self.number(counts.accepted)),
            .init(name: "duplicates", value: Self.number(counts.duplicates)),
            .init(name: "rejected", value: Self.number(reader.rejectedCount)),
            .init(name: "errors", value: errors),
        ]
        if let first = counts.first, let last = counts.last {
            members.append(.init(name: "first_seq", value: .number(JSONNumber(first))))
            members.append(.init(name: "last_seq", value: .number(JSONNumber(last))))
        }
        return JSONResponse.make(.accepted, .object(JSONObject(members)))
    }

    private func makeReader(_ decoder: SourceDecoder, body: [UInt8], format: SourceFormat) throws -> SourceBodyReader {
        do {
            return try decoder.reader(for: body)
        } catch {
            throw Self.problem(error, format: format)
        }
    }

    private func next(_ reader: inout SourceBodyReader, format: SourceFormat) throws -> SourceChunk? {
        do {
            return try reader.next(maxRecords: Self.appendChunk, maxDataBytes: Self.appendChunkBytes)
        } catch {
            throw Self.problem(error, format: format)
        }
    }

    /// What has been appended so far.
    private struct Counts {
        var accepted = 0
        var duplicates = 0
        var first: Int64?
        var last: Int64?
        /// The index of the first record not yet appended.
        var read = 0

        var stored: Int {
            accepted + duplicates
        }
    }

    private var limits: SourceDecoder.Limits {
        SourceDecoder.Limits(
            maxDecompressedBytes: configuration.maxSourceDecompressedBytes,
            json: JSONParser.Limits(maxDepth: 64, maxBytes: configuration.maxSourceDocumentBytes),
            maxRecords: configuration.maxSourceRecords
        )
    }

    private func append(_ chunk: SourceChunk, counts: inout Counts, context: some RequestContext) async throws {
        let receipts: [AppendReceipt]
        do {
            receipts = try await log.append(entries: chunk.entries)
        } catch let rejection as ComplianceRejection {
            let record =
                chunk.positions.indices.contains(rejection.entryIndex)
                ? chunk.positions[rejection.entryIndex].index : counts.read + rejection.entryIndex
            throw Problem.complianceRejected(
                rejection,
                entry: record,
                stored: "records \(chunk.positions.first?.index ?? counts.read) and later were not stored "
                    + "(stored records are recognised as duplicates when the body is resent)"
            )
        } catch {
            context.logger.warning("Append failed; records not acknowledged.", metadata: ["error": "\(error)"])
            throw Problem.unavailable(
                "records \(chunk.positions.first?.index ?? counts.read) and later were not stored; resend the body (stored records are recognised as duplicates)",
                cause: error
            )
        }
        var duplicates = 0
        for receipt in receipts {
            if receipt.isDuplicate {
                duplicates += 1
            }
            counts.first = min(counts.first ?? receipt.sequence, receipt.sequence)
            counts.last = max(counts.last ?? receipt.sequence, receipt.sequence)
        }
        counts.duplicates += duplicates
        counts.accepted += receipts.count - duplicates
        metrics.accepted(.sources, stored: receipts.count - duplicates, duplicates: duplicates)
    }

    /// Between chunks: a cancelled request, or a server shutting down, stops reading (what was
    /// appended stays; a resent body's stored records count as duplicates).
    private static func stopIfShuttingDown(next: Int) throws {
        guard Task.isCancelled || Task.isShuttingDownGracefully else {
            return
        }
        throw Problem(
            .serviceUnavailable,
            code: "shutting-down",
            title: "The server is shutting down",
            detail:
                "records \(next) and later were not read; resend the body once the server is back (stored records are recognised as duplicates)",
            headers: [.retryAfter: "5"]
        )
    }

    private static func problem(_ error: SourceBodyError, format: SourceFormat) -> Problem {
        let limit = error.limit.map { [JSONObject.Member(name: "limit", value: number($0))] } ?? []
        switch error.code {
        case .decompressedTooLarge:
            return Problem(
                .contentTooLarge,
                code: "decompressed-too-large",
                title: "The body is too large decompressed",
                detail: error.message,
                extensions: limit
            )
        case .tooManyRecords:
            return Problem(
                .contentTooLarge,
                code: "too-many-records",
                title: "The body holds too many records",
                detail: error.message,
                extensions: limit
            )
        case .documentTooLarge:
            return Problem(
                .contentTooLarge,
                code: "document-too-large",
                title: "A JSON document in the body is too large to read",
                detail: error.message
            )
        default:
            return Problem(
                .badRequest,
                code: "invalid-body",
                title: "The body cannot be read",
                detail: "\(format.rawValue): \(error.message)"
            )
        }
    }

    /// Okta's one-time event-hook verification: echo `x-okta-verification-challenge`.
    ///
    /// It answers `GET /v1/sources/{format}` for `okta` only; a route of its own would hide
    /// `POST /v1/sources/okta` from the router.
    func verifyOkta(_ request: Request, context: some RequestContext) async throws -> Response {
        guard try Self.format(context) == .okta else {
            throw Problem(
                .methodNotAllowed,
                code: "method-not-allowed",
                title: "Only okta answers GET",
                detail: "GET on a source is Okta's event-hook verification; send records with POST"
            )
        }
        guard let name = HTTPField.Name("x-okta-verification-challenge"), let challenge = request.headers[name] else {
            throw Problem(
                .badRequest,
                code: "missing-challenge",
                title: "No verification challenge",
                detail:
                    "Okta sends 'x-okta-verification-challenge' when it verifies an event hook; this request has none"
            )
        }
        return JSONResponse.make(.ok, .object(JSONObject([.init(name: "verification", value: .string(challenge))])))
    }

    /// The `cluster` query parameter: which Kubernetes cluster `k8s-audit` events come from.
    private static func cluster(_ request: Request, format: SourceFormat) throws -> String? {
        guard let name = request.uri.queryParameters.get("cluster") else {
            return nil
        }
        guard format == .k8sAudit else {
            throw Problem.invalidParameter("cluster", "applies to k8s-audit only")
        }
        guard SourceDecoder.isValidCluster(name) else {
            throw Problem.invalidParameter(
                "cluster",
                "must be 1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit"
            )
        }
        return name
    }

    private static func format(_ context: some RequestContext) throws -> SourceFormat {
        let name = context.parameters.get("format") ?? ""
        guard let format = SourceFormat(rawValue: name) else {
            throw Problem(
                .notFound,
                code: "unknown-source-format",
                title: "Unknown source format",
                detail: "the formats are: \(SourceFormat.names)"
            )
        }
        return format
    }

    static func errorJSON(_ rejected: RejectedRecord) -> JSONValue {
        var members: [JSONObject.Member] = [.init(name: "index", value: number(rejected.position.index))]
        if let line = rejected.position.line {
            members.append(.init(name: "line", value: number(line)))
        }
        if let path = rejected.error.path {
            members.append(.init(name: "path", value: .string(path)))
        } else {
            members.append(.init(name: "offset", value: number(rejected.error.offset)))
        }
        members.append(.init(name: "message", value: .string(rejected.error.message)))
        return .object(JSONObject(members))
    }

    private static func number(_ value: Int) -> JSONValue {
        .number(JSONNumber(Int64(value)))
    }
}
