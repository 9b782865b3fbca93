// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What a body of native records decoded to: the entries to append, where each came from, and the
/// records that were refused (a bad record never stops the rest).
public struct SourceBatch: Sendable {
    /// The entries, in body order.
    public var entries: [LogEntry] = []
    /// The position of each entry (same order as ``entries``).
    public var positions: [RecordPosition] = []
    /// The refused records, in body order.
    public var rejected: [RejectedRecord] = []
}

/// Decodes a body of native records of one format: gunzips it when it is gzip, cuts it into
/// records, and normalises each to a ``LogEntry``.
public struct SourceDecoder: Sendable {
    /// Bounds on what a body may hold.
    public struct Limits: Sendable, Hashable {
        /// The largest a gzip body may grow to when decompressed.
        ///
        /// Default 256 MiB.
        public var maxDecompressedBytes: Int
        /// Limits for each JSON document (a whole body, or one NDJSON line).
        public var json: JSONParser.Limits

        /// Creates limits.
        public init(maxDecompressedBytes: Int = 256 * 1024 * 1024, json: JSONParser.Limits = JSONParser.Limits()) {
            self.maxDecompressedBytes = maxDecompressedBytes
            self.json = json
        }
    }

    /// The format of every record.
    public let format: SourceFormat
    private let limits: Limits
    private let syslog: SyslogNormalizer
    private let received: Timestamp
    private let enricher: (any OCSFEnricher)?
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

    /// Decodes `body`; `firstLine` numbers its first line (for bodies that continue a file).
    ///
    /// - Throws: ``SourceError`` only when the body as a whole cannot be read (invalid gzip);
    ///   bad records are in ``SourceBatch/rejected``.
    public func decode(_ body: [UInt8], firstLine: Int = 1) throws(SourceError) -> SourceBatch {
        let bytes = Gzip.isCompressed(body) ? try Gzip.decompress(body, limit: limits.maxDecompressedBytes) : body
        let (records, refused) = RecordSplitter(isText: format.isText, limits: limits.json)
            .split(bytes, firstLine: firstLine)
        var batch = SourceBatch()
        batch.rejected = refused
        batch.entries.reserveCapacity(records.count)
        batch.positions.reserveCapacity(records.count)
        var flowFields = VPCFlowFields.default
        for record in records {
            do throws(SourceError) {
                let entry: LogEntry?
                switch record.content {
                case .text(let line) where format == .vpcflow && line.utf8.first == UInt8(ascii: "{"):
                    // The parsed JSON form some pipelines write, one record per line.
                    let value: JSONValue
                    do {
                        value = try JSONParser(limits: limits.json).parse(line)
                    } catch {
                        throw SourceError(offset: error.offset, message: error.message)
                    }
                    entry = try normalize(
                        JSONRecord(fields: RecordFields(value), bytes: Array(line.utf8), received: received)
                    )
                case .text(let line) where format == .vpcflow:
                    entry = try VPCFlowNormalizer.normalize(line: line, fields: &flowFields)
                case .text(let line):
                    entry = try syslog.normalize(line)
                case .json(let value, let raw):
                    entry = try normalize(
                        JSONRecord(
                            fields: RecordFields(value),
                            bytes: raw ?? JSONWriter().bytes(value),
                            received: received
                        )
                    )
                }
                if let entry {
                    batch.entries.append(try entry.checkedAndEnriched(by: enricher))
                    batch.positions.append(record.position)
                }
            } catch {
                batch.rejected.append(RejectedRecord(position: record.position, error: error))
            }
        }
        batch.rejected.sort { $0.position.index < $1.position.index }
        return batch
    }

    private func normalize(_ record: JSONRecord) throws(SourceError) -> LogEntry? {
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
