// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TocsinCore
import TocsinSources

/// `POST /v1/sources/{format}`: native records (one, an array, the provider's wrapper, NDJSON, text
/// lines, or any of these gzipped) normalised and appended; bad records are reported and skipped.
///
/// Answers `202` once every good record is durable, with counts and each refused record's position.
struct SourceController: Sendable {
    let log: any EventLog
    let configuration: ServerConfiguration
    let access: AccessControl
    let enricher: (any OCSFEnricher)?

    /// How many refused records a response lists (the counts are always complete).
    static let maxListedErrors = 100
    /// Records per append (one group commit each).
    static let appendChunk = 2000

    func ingest(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let format = try Self.format(context)
        let cluster = try Self.cluster(request, format: format)
        let body = try await RequestBody.collect(
            request,
            limit: configuration.maxSourceBodyBytes,
            timeout: configuration.bodyTimeout
        )
        let decoder = SourceDecoder(
            format: format,
            referenceMilliseconds: Int64(Date().timeIntervalSince1970 * 1000),
            limits: .init(
                maxDecompressedBytes: configuration.maxSourceDecompressedBytes,
                json: JSONParser.Limits(maxDepth: 64, maxBytes: configuration.maxSourceDecompressedBytes)
            ),
            enricher: enricher,
            cluster: cluster
        )
        let batch: SourceBatch
        do {
            batch = try decoder.decode(Array(body.readableBytesView))
        } catch {
            throw Problem(
                .badRequest,
                code: "invalid-body",
                title: "The body cannot be read",
                detail: error.description
            )
        }
        let errors = JSONValue.array(
            batch.rejected.prefix(Self.maxListedErrors).map { rejected in Self.errorJSON(rejected) }
        )
        if batch.entries.isEmpty && !batch.rejected.isEmpty {
            throw Problem(
                .badRequest,
                code: "no-valid-records",
                title: "No record in the body could be read",
                detail: "every \(format.rawValue) record was refused; 'errors' says where and why",
                extensions: [
                    .init(name: "rejected", value: Self.number(batch.rejected.count)),
                    .init(name: "errors", value: errors),
                ]
            )
        }
        try access.checkPublish(batch.entries, request: request, context: context)
        var accepted = 0
        var duplicates = 0
        var first: Int64?
        var last: Int64?
        var start = 0
        while start < batch.entries.count {
            let end = min(start + Self.appendChunk, batch.entries.count)
            let receipts: [AppendReceipt]
            do {
                receipts = try await log.append(entries: Array(batch.entries[start..<end]))
            } catch {
                context.logger.warning("Append failed; records not acknowledged.", metadata: ["error": "\(error)"])
                throw Problem.unavailable(
                    "records \(start) and later were not stored; resend the body (stored records are recognised as duplicates)"
                )
            }
            for receipt in receipts {
                if receipt.isDuplicate {
                    duplicates += 1
                } else {
                    accepted += 1
                }
                first = min(first ?? receipt.sequence, receipt.sequence)
                last = max(last ?? receipt.sequence, receipt.sequence)
            }
            start = end
        }
        var members: [JSONObject.Member] = [
            .init(name: "format", value: .string(format.rawValue)),
            .init(name: "accepted", value: Self.number(accepted)),
            .init(name: "duplicates", value: Self.number(duplicates)),
            .init(name: "rejected", value: Self.number(batch.rejected.count)),
            .init(name: "errors", value: errors),
        ]
        if let first, let last {
            members.append(.init(name: "first_seq", value: .number(JSONNumber(first))))
            members.append(.init(name: "last_seq", value: .number(JSONNumber(last))))
        }
        return JSONResponse.make(.accepted, .object(JSONObject(members)))
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
