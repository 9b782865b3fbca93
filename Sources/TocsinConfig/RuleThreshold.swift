// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// A pattern rule's threshold: the rule alerts when `count` matching events of one group arrive
/// within `withinSeconds` of event time, instead of routing every match.
///
/// ```yaml
/// threshold: {count: 5, within_seconds: 60, group_by: [$.ocsf.src_endpoint.ip]}
/// ```
///
/// Events may arrive out of order: one whose time lies up to `allowed_lateness_seconds` (default
/// 60) behind the newest event time seen still counts; an older one is counted as late instead.
public struct RuleThreshold: Sendable, Hashable {
    /// The most a threshold's count may be.
    public static let maximumCount: Int64 = 100_000
    /// The longest window, in seconds (31 days).
    public static let maximumWindowSeconds: Int64 = 31 * 86_400
    /// The most `group_by` paths.
    public static let maximumGroupPaths = 8
    /// The allowed lateness when a threshold does not set one, in seconds.
    public static let defaultLatenessSeconds: Int64 = 60

    /// How many matching events of one group cross the threshold.
    public var count: Int
    /// The sliding window, in seconds of event time.
    public var withinSeconds: Int64
    /// The paths whose values make up the group (no paths: one group for all events).
    public var groupBy: [JSONPath]
    /// How far, in seconds, an event may lag the newest event time and still count.
    public var allowedLatenessSeconds: Int64

    /// Reads a threshold, adding a diagnostic for each problem.
    init?(_ value: JSONValue, path: String, diagnostics: inout [ConfigDiagnostic]) {
        guard var reader = ObjectReader(value, path: path, diagnostics: &diagnostics) else {
            return nil
        }
        let hasCount = reader.value("count") != nil
        let count = reader.integer("count", default: 0, range: 1...Self.maximumCount)
        let hasWindow = reader.value("within_seconds") != nil
        let within = reader.integer("within_seconds", default: 0, range: 1...Self.maximumWindowSeconds)
        let lateness = reader.integer(
            "allowed_lateness_seconds",
            default: Self.defaultLatenessSeconds,
            range: 0...Self.maximumWindowSeconds
        )
        var groupBy: [JSONPath] = []
        switch reader.value("group_by") {
        case nil:
            break
        case .array(let elements)? where elements.count <= Self.maximumGroupPaths:
            for (index, element) in elements.enumerated() {
                if let text = element.stringValue, let jsonPath = JSONPath(text) {
                    groupBy.append(jsonPath)
                } else {
                    reader.diagnostics.append(
                        ConfigDiagnostic(
                            path: reader.childPath("group_by[\(index)]"),
                            message: "must be a JSON path such as \"$.ocsf.src_endpoint.ip\""
                        )
                    )
                }
            }
        default:
            reader.diagnostics.append(
                ConfigDiagnostic(
                    path: reader.childPath("group_by"),
                    message: "must be a list of at most \(Self.maximumGroupPaths) JSON paths"
                )
            )
        }
        for (present, key, example) in [(hasCount, "count", "5"), (hasWindow, "within_seconds", "60")] where !present {
            reader.diagnostics.append(
                ConfigDiagnostic(path: reader.childPath(key), message: "is required (an integer such as \(example))")
            )
        }
        reader.rejectUnknown()
        diagnostics += reader.diagnostics
        guard reader.diagnostics.isEmpty else {
            return nil
        }
        self.count = Int(count)
        self.withinSeconds = within
        self.groupBy = groupBy
        self.allowedLatenessSeconds = lateness
    }

    /// The threshold as JSON, for the API and the log.
    public var json: JSONValue {
        .object(
            JSONObject([
                .init(name: "count", value: .number(JSONNumber(Int64(count)))),
                .init(name: "within_seconds", value: .number(JSONNumber(withinSeconds))),
                .init(name: "group_by", value: .array(groupBy.map { .string($0.description) })),
                .init(name: "allowed_lateness_seconds", value: .number(JSONNumber(allowedLatenessSeconds))),
            ])
        )
    }
}
