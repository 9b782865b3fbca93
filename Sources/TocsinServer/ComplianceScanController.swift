// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
public import TocsinCore

/// What `GET /v1/compliance/scan` needs from the rest of Tocsin; the runtime implements it with the
/// compliance detectors over the log, archives included.
public protocol ComplianceScanning: Sendable {
    /// Scans one page of the log: up to `limit` events after sequence `after`, keeping those
    /// ingested in `from..<to` (Unix milliseconds; `nil` leaves that side open).
    ///
    /// - Returns: `{"scanned", "bytes", "events": [{"seq", "source", "type", "findings":
    ///   [{"category", "path"}]}], "next"}`: only events with findings are listed, never a value;
    ///   `next` is the cursor for the next page, `null` once the range or the log has ended.
    /// - Throws: ``ArchiveUnavailable`` when an archive the page needs cannot be used.
    func scanPage(after: Int64, from: Int64?, to: Int64?, limit: Int) async throws -> JSONValue
}

/// `GET /v1/compliance/scan`, the compliance detectors over a stored range, a page at a time.
///
/// Reading events is the permission it needs: its answer says less than the events do
/// (docs/compliance.md).
struct ComplianceScanController: Sendable {
    /// The largest page, in events scanned.
    static let maximumLimit = 10_000
    let scanning: any ComplianceScanning

    func register(on routes: RouteRegistrar) {
        routes.add(.get, "compliance/scan", .readEvents, handler: scan)
    }

    func scan(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        var after: Int64 = 0
        if let text = parameters.get("after") {
            guard let cursor = Int64(text), cursor >= 0 else {
                throw Problem.invalidParameter("after", "must be a sequence number (0 or more)")
            }
            after = cursor
        }
        var limit = 1_000
        if let text = parameters.get("limit") {
            guard let size = Int(text), (1...Self.maximumLimit).contains(size) else {
                throw Problem.invalidParameter("limit", "must be an integer from 1 to \(Self.maximumLimit)")
            }
            limit = size
        }
        let bounds = try ["from", "to"].map { name -> Int64? in
            guard let text = parameters.get(name) else {
                return nil
            }
            guard let time = Timestamp(rfc3339: text) else {
                throw Problem.invalidParameter(name, "must be an RFC 3339 timestamp such as 2026-11-01T00:00:00Z")
            }
            return time.epochMilliseconds
        }
        let page = try await Problem.archived {
            try await scanning.scanPage(after: after, from: bounds[0], to: bounds[1], limit: limit)
        }
        return JSONResponse.make(.ok, page)
    }
}
