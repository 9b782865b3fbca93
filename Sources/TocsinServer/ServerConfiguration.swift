// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Settings of the HTTP API.
///
/// Every limit is documented in `docs/limits.md`.
public struct ServerConfiguration: Sendable {
    /// Address to listen on.
    ///
    /// Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// Port to listen on.
    ///
    /// 0 picks a free port. Default 8080.
    public var port: Int = 8080
    /// Require `Authorization: Bearer <key>` on `/v1`.
    ///
    /// Turn off only for local development.
    public var requiresAuthentication: Bool = true
    /// Largest accepted request body.
    ///
    /// Default 1 MiB.
    public var maxBodyBytes: Int = 1024 * 1024
    /// Largest accepted body on `POST /v1/sources/{format}` (as sent, possibly gzipped).
    ///
    /// Default 32 MiB.
    public var maxSourceBodyBytes: Int = 32 * 1024 * 1024
    /// Largest a gzipped source body may grow to when decompressed (checked while inflating; the
    /// body is never held decompressed beyond ``maxSourceDocumentBytes``).
    ///
    /// Default 256 MiB.
    public var maxSourceDecompressedBytes: Int = 256 * 1024 * 1024
    /// Largest JSON document (a whole wrapper body, or one NDJSON line) or text line in a source
    /// body; larger wrapper files are sent as NDJSON (`tocsin ingest` does).
    ///
    /// Default 32 MiB.
    public var maxSourceDocumentBytes: Int = 32 * 1024 * 1024
    /// Most records in one source body (non-blank lines, or a wrapper's records).
    ///
    /// Default 100,000.
    public var maxSourceRecords: Int = 100_000
    /// Most events in one batch request.
    ///
    /// Default 10,000.
    public var maxBatchEvents: Int = 10_000
    /// Largest `limit` on `GET /v1/events`.
    ///
    /// Default 1,000.
    public var maxPageSize: Int = 1000
    /// Live event streams (`GET /v1/stream`) one identity may hold open at once.
    ///
    /// Default 8.
    public var maxStreamsPerIdentity: Int = 8
    /// Open connections at once; further connections wait in the listen backlog.
    ///
    /// Default 1,024.
    public var maxConnections: Int = 1024
    /// How long a connection may sit without a request before it is closed.
    ///
    /// Default 60 s.
    public var idleTimeout: Duration = .seconds(60)
    /// How long a request body may take to arrive in full, from its head; a connection past it
    /// is closed.
    ///
    /// Default 60 s.
    public var bodyTimeout: Duration = .seconds(60)
    /// HTTPS, and mutual TLS with a client CA; `nil` serves plain HTTP.
    public var tls: TLSSettings?
    /// Request rate limits (per identity, per address, and for refused requests per address).
    public var limits = AccessControl.Limits()
    /// How often an idle live stream sends a keep-alive comment.
    ///
    /// Default 15 s.
    public var streamKeepAlive: Duration = .seconds(15)
    /// Require the `metrics:read` permission on `GET /metrics` (`--metrics-auth`); by default the
    /// scrape is open, like `/healthz`.
    public var metricsRequiresAuthentication = false
    /// JSON limits for request bodies (nesting depth; the size limit is ``maxBodyBytes``).
    public var jsonLimits: JSONParser.Limits {
        JSONParser.Limits(maxDepth: 64, maxBytes: maxBodyBytes)
    }

    /// Creates the default configuration.
    public init() {}
}
