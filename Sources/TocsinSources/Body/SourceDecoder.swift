// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What a body of native records decoded to: the entries to append, where each came from, and the
/// records that were refused (a bad record never stops the rest).
public struct SourceBatch: Sendable {
    /// The entries, in body order.
    public var entries: [LogEntry] = []
    /// The position of each entry (same order as ``entries``).
    public var positions: [RecordPosition] = []
    /// The first refused records, in body order (at most
    /// ``SourceDecoder/Limits/maxListedRejections``).
    public var rejected: [RejectedRecord] = []
    /// How many records were refused in all.
    public var rejectedCount = 0
}

/// Decodes a body of native records of one format: gunzips it when it is gzip, cuts it into
/// records, and normalises each to a ``LogEntry``.
///
/// ``reader(for:firstLine:)`` reads a body a chunk at a time (what a server should use);
/// ``decode(_:firstLine:)`` reads it whole.
public struct SourceDecoder: Sendable {
    /// Bounds on what a body may hold; every one is checked before a record is read.
    public struct Limits: Sendable, Hashable {
        /// The largest a gzip body may grow to when decompressed, enforced while inflating.
        ///
        /// Default 256 MiB.
        public var maxDecompressedBytes: Int
        /// Limits for each JSON document (a whole body, or one NDJSON line); `maxBytes` is also
        /// the longest line read.
        public var json: JSONParser.Limits
        /// Most records in one body (its non-blank lines, or a wrapper's records).
        ///
        /// Default 100,000.
        public var maxRecords: Int
        /// How many refused records are kept with their position (all are counted).
        ///
        /// Default 100.
        public var maxListedRejections: Int

        /// Creates limits.
        public init(
            maxDecompressedBytes: Int = 256 * 1024 * 1024,
            json: JSONParser.Limits = JSONParser.Limits(),
            maxRecords: Int = 100_000,
            maxListedRejections: Int = 100
        ) {
            self.maxDecompressedBytes = maxDecompressedBytes
            self.json = json
            self.maxRecords = maxRecords
            self.maxListedRejections = maxListedRejections
        }
    }

    /// The format of every record.
    public let format: SourceFormat
    let limits: Limits
    private let syslog: SyslogNormalizer
    let received: Timestamp
    let enricher: (any OCSFEnricher)?
    private let cluster: String?

    /// Creates a decoder; `referenceMilliseconds` is the collector's clock (RFC 3164 syslog has no
    /// year), `enricher`, when given, adds to each record's OCSF view (GeoIP), and `cluster` names
    /// the Kubernetes cluster `k8s-audit` events come from (see ``isValidCluster(_:)``).
    public init(
        format: SourceFormat,
        referenceMilliseconds: Int64,
        limits: Limits = Limits(),
        enricher: (any OCSFEnricher)? = nil,
        cluster: String? = nil
    ) {
        self.cluster = cluster
        self.format = format
        self.limits = limits
        self.enricher = enricher
        self.syslog = SyslogNormalizer(referenceMilliseconds: referenceMilliseconds)
        self.received = Timestamp(epochMilliseconds: referenceMilliseconds)
    }

    /// A reader of `body`, checked against ``Limits`` as a whole first; `firstLine` numbers its
    /// first line (for bodies that continue a file).
    ///
    /// - Throws: ``SourceBodyError`` when the body is refused as a whole (invalid gzip, too large
    ///   decompressed, too many records, a JSON document too large to read).
    public func reader(for body: [UInt8], firstLine: Int = 1) throws(SourceBodyError) -> SourceBodyReader {
        try SourceBodyReader(decoder: self, body: body, firstLine: firstLine)
    }

    /// Decodes `body` whole; `firstLine` numbers its first line (for bodies that continue a file).
    ///
    /// - Throws: ``SourceBodyError`` only when the body is refused as a whole; bad records are in
    ///   ``SourceBatch/rejected``.
    public func decode(_ body: [UInt8], firstLine: Int = 1) throws(SourceBodyError) -> SourceBatch {
        var reader = try reader(for: body, firstLine: firstLine)
        var batch = SourceBatch()
        while let chunk = try reader.next() {
            batch.entries += chunk.entries
            batch.positions += chunk.positions
        }
        batch.rejected = reader.rejected
        batch.rejectedCount = reader.rejectedCount
        return batch
    }

    /// Normalises one text line (`syslog`, `vpcflow`), UTF-8 or not; `nil` for a flow-log header.
    func normalize(text bytes: ArraySlice<UInt8>, flowFields: inout VPCFlowFields) throws(SourceError) -> LogEntry? {
        if format == .vpcflow {
            return try VPCFlowNormalizer.normalize(line: bytes, fields: &flowFields)
        }
        return try syslog.normalize(bytes: bytes)
    }

    func normalize(_ record: JSONRecord) throws(SourceError) -> LogEntry? {
        guard case .object = record.fields.value else {
            throw SourceError(path: "$", message: "expected a JSON object, found \(record.fields.value.typeName)")
        }
        switch format {
        case .cloudtrail: return try CloudTrailNormalizer().normalize(record)
        case .vpcflow: return try VPCFlowNormalizer.normalize(json: record)
        case .guardduty: return try GuardDutyNormalizer().normalize(record)
        case .k8sAudit: return try KubernetesAuditNormalizer(cluster: cluster).normalize(record)
        case .gcpAudit: return try GCPAuditNormalizer().normalize(record)
        case .azureActivity: return try AzureActivityNormalizer().normalize(record)
        case .azureSignIn: return try AzureSignInNormalizer().normalize(record)
        case .azureAudit: return try AzureAuditNormalizer().normalize(record)
        case .okta: return try OktaNormalizer().normalize(record)
        case .githubAudit: return try GitHubAuditNormalizer().normalize(record)
        case .syslog:
            throw SourceError(path: "$", message: "syslog records are text lines, not JSON")
        }
    }

    /// Whether `name` can name a cluster: 1–63 of `A-Z a-z 0-9 . _ -`, starting with a letter or
    /// digit (Kubernetes cluster and context names in practice).
    public static func isValidCluster(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63, isClusterCharacter(first), first != UInt8(ascii: "."),
            first != UInt8(ascii: "_"), first != UInt8(ascii: "-")
        else {
            return false
        }
        return bytes.allSatisfy(isClusterCharacter)
    }

    private static func isClusterCharacter(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
}
