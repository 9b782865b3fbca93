// SPDX-License-Identifier: Apache-2.0

/// Reads a `correlation:` document into a ``SigmaCorrelation`` (syntax only: references stay names).
struct SigmaCorrelationParser {
    func parse(_ document: SigmaYAMLNode, sink: inout DiagnosticSink) -> SigmaCorrelation? {
        let before = sink.diagnostics.count
        func fail(_ node: SigmaYAMLNode?, _ message: String) {
            sink.report(.correlation, at: node?.position ?? document.position, message)
        }
        guard let correlation = document["correlation"], correlation.members != nil else {
            fail(document["correlation"], "'correlation' must be a map with type, rules, timespan and condition")
            return nil
        }
        let title = document["title"]?.text
        if title == nil {
            sink.report(.structure, at: document.position, "a correlation rule needs a 'title'")
        }
        let kindNode = correlation["type"]
        let kind = kindNode?.text.flatMap(SigmaCorrelation.Kind.init(rawValue:))
        if kind == nil {
            fail(kindNode ?? correlation, "'type' must be one of event_count, value_count, temporal, temporal_ordered")
        }
        let rules = SigmaRuleParser.strings(correlation["rules"])
        if rules.isEmpty {
            fail(correlation["rules"] ?? correlation, "'rules' must list the ids or names of the rules correlated")
        }
        let groupBy = SigmaRuleParser.strings(correlation["group-by"])
        let timespan = correlation["timespan"].flatMap { $0.text.flatMap(Self.milliseconds) }
        if timespan == nil {
            fail(correlation["timespan"] ?? correlation, "'timespan' must be a number followed by s, m, h or d (5m)")
        }
        let condition = parseCondition(correlation["condition"], kind: kind, sink: &sink)
        if kind == .eventCount || kind == .valueCount, condition == nil, correlation["condition"] == nil {
            fail(correlation, "\(kind?.rawValue ?? "this type") needs a 'condition' such as {gte: 10}")
        }
        if kind == .valueCount, condition != nil, condition?.field == nil {
            fail(
                correlation["condition"],
                "value_count needs 'field' in its condition: the field whose distinct values are counted"
            )
        }
        let aliases = parseAliases(correlation["aliases"], sink: &sink)
        var generate = false
        if let node = correlation["generate"] {
            guard case .bool(let flag, _) = node.scalar else {
                fail(node, "'generate' must be true or false")
                return nil
            }
            generate = flag
        }
        guard sink.diagnostics.count == before, let title, let kind, let timespan else {
            return nil
        }
        var parsed = SigmaCorrelation(
            id: document["id"]?.text,
            name: document["name"]?.text,
            title: title,
            level: document["level"]?.text,
            tags: SigmaRuleParser.strings(document["tags"]),
            author: document["author"]?.text,
            kind: kind,
            rules: rules,
            groupBy: groupBy,
            timespanMilliseconds: timespan,
            condition: condition,
            aliases: aliases,
            generate: generate
        )
        parsed.line = document.position.line
        parsed.column = document.position.column
        return parsed
    }

    /// `30s`, `5m`, `1h`, `2d` in milliseconds.
    static func milliseconds(_ text: String) -> Int64? {
        guard let unit = text.last, let count = Int64(text.dropLast()), count > 0 else {
            return nil
        }
        let scale: Int64
        switch unit {
        case "s": scale = 1_000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        default: return nil
        }
        let (product, overflow) = count.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }

    private func parseCondition(
        _ node: SigmaYAMLNode?,
        kind: SigmaCorrelation.Kind?,
        sink: inout DiagnosticSink
    ) -> SigmaCorrelation.Condition? {
        guard let node else {
            return nil
        }
        guard let members = node.members else {
            sink.report(
                .correlation,
                at: node.position,
                "'condition' must be a map such as {gte: 10} (and 'field' for value_count)"
            )
            return nil
        }
        var comparisons: [SigmaCorrelation.Comparison] = []
        var field: String?
        for member in members {
            if member.key == "field" {
                field = member.value.text
                continue
            }
            guard let op = SigmaCorrelation.Operator(rawValue: member.key) else {
                sink.report(
                    .correlation,
                    at: member.keyPosition,
                    "unknown condition operator '\(member.key)'; use gt, gte, lt, lte, eq or neq"
                )
                return nil
            }
            guard let text = member.value.text, let value = Int(text), value >= 0 else {
                sink.report(.correlation, at: member.value.position, "'\(member.key)' needs a whole number")
                return nil
            }
            comparisons.append(SigmaCorrelation.Comparison(op: op, value: value))
        }
        guard (1...2).contains(comparisons.count) else {
            sink.report(
                .correlation,
                at: node.position,
                "'condition' needs one or two comparisons (gt, gte, lt, lte, eq, neq)"
            )
            return nil
        }
        return SigmaCorrelation.Condition(comparisons: comparisons, field: field)
    }

    private func parseAliases(_ node: SigmaYAMLNode?, sink: inout DiagnosticSink) -> [String: [String: String]] {
        guard let node else {
            return [:]
        }
        var aliases: [String: [String: String]] = [:]
        guard let members = node.members else {
            sink.report(.correlation, at: node.position, "'aliases' must map each alias to {rule: field}")
            return [:]
        }
        for member in members {
            guard let fields = member.value.members else {
                sink.report(
                    .correlation,
                    at: member.value.position,
                    "alias '\(member.key)' must map rule names to field names"
                )
                continue
            }
            var map: [String: String] = [:]
            for field in fields {
                guard let text = field.value.text else {
                    sink.report(.correlation, at: field.value.position, "the field of '\(field.key)' must be a string")
                    continue
                }
                map[field.key] = text
            }
            aliases[member.key] = map
        }
        return aliases
    }
}
