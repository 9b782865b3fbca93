// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The field order of VPC flow log lines: the default (v2) order until a header line names another.
public struct VPCFlowFields: Sendable {
    /// Canonical field names (lower case, no hyphens) in line order.
    var names: [String]

    static let `default` = VPCFlowFields(
        header:
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
    )

    init(header: String) {
        names = header.split(separator: " ").map { Self.canonical(String($0)) }
    }

    /// `srcAddr`, `srcaddr` and `src-addr` are the same field.
    static func canonical(_ name: String) -> String {
        String(
            decoding: name.lowercased().utf8.filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "_") },
            as: UTF8.self
        )
    }

    /// Whether `line` is a header line naming fields rather than a record.
    public static func isHeader(_ line: String) -> Bool {
        isHeader(line.split(separator: " ", omittingEmptySubsequences: true))
    }

    /// Whether `tokens` are field names rather than values.
    static func isHeader(_ tokens: [Substring]) -> Bool {
        var known = false
        for token in tokens {
            guard let first = token.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
                token.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
            else {
                return false
            }
            known = known || knownNames.contains(String(token))
        }
        return known
    }

    private static let knownNames: Set<String> = [
        "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
        "bytes", "start", "end", "action", "log-status", "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type",
        "pkt-srcaddr", "pkt-dstaddr", "region", "flow-direction", "traffic-path", "tgw-id", "resource-type",
    ]
}

/// AWS VPC Flow Logs (text, v2–v5 and custom orders; also the parsed JSON form with camelCase keys)
/// to CloudEvents with an OCSF Network Activity (4001) view.
///
/// The convention (stable):
/// - `source`: `/aws/vpcflow/<account-id>/<interface-id>` (`tgw-attachment-id` for transit gateways);
/// - `type`: `aws.vpcflow.accept|reject|nodata|skipdata`, or `aws.vpcflow.flow` without an action;
/// - `subject`: the true source address (`pkt-srcaddr`, else `srcaddr`);
/// - `time`: `start`; `id`: the first 32 hex digits of SHA-256 over the line;
/// - `data`: the line as `text/plain` (JSON records stay JSON).
enum VPCFlowNormalizer {
    /// Normalises one text line, or reads it as a header (then returns `nil`).
    static func normalize(line: String, fields: inout VPCFlowFields) throws(SourceError) -> LogEntry? {
        let tokens = line.split(separator: " ", omittingEmptySubsequences: true)
        if VPCFlowFields.isHeader(tokens) {
            fields = VPCFlowFields(header: line)
            return nil
        }
        guard tokens.count == fields.names.count else {
            throw SourceError(
                offset: 0,
                message:
                    "the line has \(tokens.count) fields but the format has \(fields.names.count); send the header line first for a custom format"
            )
        }
        var values: [String: String] = [:]
        for (name, token) in zip(fields.names, tokens) where token != "-" {
            values[name] = String(token)
        }
        return try entry(
            values,
            id: RecordIdentity.digest(Array(line.utf8)),
            data: .text(line),
            contentType: "text/plain"
        )
    }

    /// Normalises a record in the parsed JSON form (`{"srcAddr":…,"dstPort":…}`).
    static func normalize(json record: JSONRecord) throws(SourceError) -> LogEntry {
        guard case .object(let object) = record.fields.value else {
            throw SourceError(path: "$", message: "expected a JSON object")
        }
        var values: [String: String] = [:]
        for member in object.members {
            switch member.value {
            case .string(let text) where text != "-" && text != "null" && !text.isEmpty:
                values[VPCFlowFields.canonical(member.name)] = text
            case .number(let number):
                values[VPCFlowFields.canonical(member.name)] = number.text
            default:
                continue
            }
        }
        guard values["srcaddr"] != nil || values["dstaddr"] != nil || values["logstatus"] != nil else {
            throw SourceError(path: "$.srcAddr", message: "a flow record needs srcaddr, dstaddr or log-status")
        }
        return try entry(
            values,
            id: RecordIdentity.digest(record.bytes),
            data: .json(record.bytes),
            contentType: "application/json"
        )
    }

    private static func entry(
        _ values: [String: String],
        id: String,
        data: CloudEventData,
        contentType: String
    ) throws(SourceError) -> LogEntry {
        var time: Timestamp?
        if let start = values["start"] {
            guard let start = Int64(start).flatMap({ Timestamp(epochValue: $0, millisecondsPerUnit: 1000) }) else {
                throw SourceError(path: "$.start", message: "expected Unix seconds between the years 1 and 9999")
            }
            time = start
        }
        let status = values["logstatus"]?.lowercased()
        let action = values["action"]?.lowercased()
        let hasTraffic = status != "nodata" && status != "skipdata"
        let kind = hasTraffic ? action ?? "flow" : status ?? "flow"
        let owner = values["interfaceid"] ?? values["tgwattachmentid"] ?? "-"
        let event = CloudEvent(
            id: id,
            source:
                "/aws/vpcflow/\(CloudEvent.sourceSegment(values["accountid"] ?? "-"))/\(CloudEvent.sourceSegment(owner))",
            type: CloudEvent.attributeText("aws.vpcflow.\(kind)"),
            dataContentType: contentType,
            subject: (values["pktsrcaddr"] ?? values["srcaddr"]).map(CloudEvent.attributeText),
            time: time,
            data: data
        )
        return LogEntry(event: event, ocsf: hasTraffic ? VPCFlowOCSF.view(values, time: time) : nil)
    }
}
