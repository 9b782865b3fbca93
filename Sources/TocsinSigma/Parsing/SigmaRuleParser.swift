// SPDX-License-Identifier: Apache-2.0

/// Reads one detection-rule document: metadata, search identifiers and condition.
struct SigmaRuleParser {
    let options: SigmaCompileOptions

    func parse(_ document: SigmaYAMLNode, file: String, sink: inout DiagnosticSink) -> SigmaRule? {
        let before = sink.diagnostics.count
        let metadata = parseMetadata(document, sink: &sink)
        guard let detection = document["detection"], let members = detection.members else {
            sink.report(
                .structure,
                at: document["detection"]?.position ?? document.position,
                "'detection' must be a map of search identifiers and a 'condition'"
            )
            return nil
        }
        let compiler = SigmaDetectionCompiler(options: options, logSource: metadata?.logSource ?? SigmaLogSource())
        var identifiers: [(name: String, expression: SigmaExpression)] = []
        var conditionNode: SigmaYAMLNode?
        var failed = false
        for member in members {
            switch member.key {
            case "condition":
                conditionNode = member.value
            case "timeframe":
                continue
            default:
                if let expression = compiler.compile(identifier: member.value, sink: &sink) {
                    identifiers.append((member.key, expression))
                } else {
                    failed = true
                }
            }
        }
        guard let conditionNode else {
            sink.report(
                .structure,
                at: detection.position,
                "'detection' needs a 'condition' (for example: condition: selection)"
            )
            return nil
        }
        guard !failed else {
            return nil
        }
        let conditions: [SigmaYAMLNode]
        if case .sequence(let list) = conditionNode.kind {
            conditions = list
        } else {
            conditions = [conditionNode]
        }
        var alternatives: [SigmaExpression] = []
        for condition in conditions {
            guard case .string(let text) = condition.scalar else {
                sink.report(
                    .conditionSyntax,
                    at: condition.position,
                    "a condition must be a string such as 'selection and not filter'"
                )
                return nil
            }
            let start = SourcePosition(
                line: condition.position.line,
                column: condition.position.column + (condition.isQuoted ? 1 : 0)
            )
            guard let expression = SigmaConditionParser.parse(text, at: start, identifiers: identifiers, sink: &sink)
            else {
                return nil
            }
            alternatives.append(expression)
        }
        guard sink.diagnostics.count == before, let metadata, !alternatives.isEmpty else {
            return nil
        }
        return SigmaRule(
            metadata: metadata,
            file: file,
            expression: alternatives.count == 1 ? alternatives[0] : .or(alternatives)
        )
    }

    private func parseMetadata(_ document: SigmaYAMLNode, sink: inout DiagnosticSink) -> SigmaRuleMetadata? {
        let title = document["title"]?.text ?? ""
        if title.isEmpty {
            sink.report(
                .structure,
                at: document["title"]?.position ?? document.position,
                "a rule needs a 'title' string"
            )
        }
        let logSourceNode = document["logsource"]
        if logSourceNode?.members == nil {
            sink.report(
                .structure,
                at: logSourceNode?.position ?? document.position,
                "a rule needs a 'logsource' map (product, service, category)"
            )
        }
        guard !title.isEmpty, let logSourceNode, logSourceNode.members != nil else {
            return nil
        }
        let logSource = SigmaLogSource(
            product: logSourceNode["product"]?.text,
            service: logSourceNode["service"]?.text,
            category: logSourceNode["category"]?.text,
            definition: logSourceNode["definition"]?.text
        )
        return SigmaRuleMetadata(
            id: document["id"]?.text,
            name: document["name"]?.text,
            title: title,
            status: document["status"]?.text,
            level: document["level"]?.text,
            tags: Self.strings(document["tags"]),
            author: document["author"]?.text,
            description: document["description"]?.text,
            references: Self.strings(document["references"]),
            falsePositives: Self.strings(document["falsepositives"]),
            logSource: logSource
        )
    }

    /// A string or a list of strings (other elements ignored).
    static func strings(_ node: SigmaYAMLNode?) -> [String] {
        guard let node else {
            return []
        }
        if case .sequence(let list) = node.kind {
            return list.compactMap(\.text)
        }
        return node.text.map { [$0] } ?? []
    }
}
