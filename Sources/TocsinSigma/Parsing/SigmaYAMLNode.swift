// SPDX-License-Identifier: Apache-2.0

import Yams

/// A YAML node with its source position, the form every Sigma parser here reads.
///
/// Scalars keep the text they were written with; plain scalars also keep the YAML type they
/// resolve to, because Sigma gives `null` and booleans a meaning (`field: null`, `exists: true`).
struct SigmaYAMLNode: Sendable {
    /// A scalar with its written text.
    enum Scalar: Sendable, Hashable {
        case string(String)
        case number(String)
        case bool(Bool, String)
        case null

        /// The text Sigma compares with: strings, numbers and booleans as written.
        var text: String? {
            switch self {
            case .string(let text), .number(let text), .bool(_, let text): text
            case .null: nil
            }
        }
    }

    /// A mapping member with the position of its key.
    struct Member: Sendable {
        var key: String
        var keyPosition: SourcePosition
        var value: SigmaYAMLNode
    }

    enum Kind: Sendable {
        case scalar(Scalar)
        case mapping([Member])
        case sequence([SigmaYAMLNode])
    }

    var kind: Kind
    var position: SourcePosition
    /// Whether the scalar was quoted (its text starts one column after ``position``).
    var isQuoted: Bool = false

    var members: [Member]? {
        if case .mapping(let members) = kind {
            return members
        }
        return nil
    }

    var scalar: Scalar? {
        if case .scalar(let scalar) = kind {
            return scalar
        }
        return nil
    }

    /// The member named `key`, if this is a mapping that has it.
    subscript(key: String) -> SigmaYAMLNode? {
        members?.first { $0.key == key }?.value
    }

    /// The text of a scalar string, number or boolean.
    var text: String? {
        scalar?.text
    }

    /// The documents of a (possibly multi-document) YAML text.
    ///
    /// Aliases, duplicate keys and non-scalar keys are reported, and the document holding them skipped.
    static func documents(_ text: String, sink: inout DiagnosticSink) -> [SigmaYAMLNode] {
        var documents: [SigmaYAMLNode] = []
        do {
            var sequence = try Yams.compose_all(yaml: text)
            while let node = sequence.next() {
                let before = sink.diagnostics.count
                let converted = convert(node, sink: &sink)
                if sink.diagnostics.count == before {
                    documents.append(converted)
                }
            }
            if let error = sequence.error {
                report(error, sink: &sink)
            }
        } catch {
            report(error, sink: &sink)
        }
        return documents
    }

    private static func report(_ error: any Error, sink: inout DiagnosticSink) {
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
                sink.report(
                    .yaml,
                    at: SourcePosition(line: mark.line, column: mark.column),
                    "not valid YAML: \(problem); check the indentation and quoting at this position"
                )
                return
            default:
                break
            }
        }
        sink.report(.yaml, at: nil, "not valid YAML; check that the file is UTF-8 YAML")
    }

    private static func position(_ node: Node) -> SourcePosition {
        node.mark.map { SourcePosition(line: $0.line, column: $0.column) } ?? .start
    }

    private static func convert(_ node: Node, sink: inout DiagnosticSink) -> SigmaYAMLNode {
        let position = position(node)
        switch node {
        case .alias:
            sink.report(.yaml, at: position, "YAML aliases are not supported in Sigma rules; repeat the value instead")
            return SigmaYAMLNode(kind: .scalar(.null), position: position)
        case .mapping(let mapping):
            var members: [Member] = []
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    sink.report(.yaml, at: self.position(key), "mapping keys must be plain strings")
                    continue
                }
                if members.contains(where: { $0.key == scalar.string }) {
                    sink.report(
                        .yaml,
                        at: self.position(key),
                        "duplicate key '\(scalar.string)'; merge the two entries into one"
                    )
                    continue
                }
                members.append(
                    Member(key: scalar.string, keyPosition: self.position(key), value: convert(value, sink: &sink))
                )
            }
            return SigmaYAMLNode(kind: .mapping(members), position: position)
        case .sequence(let sequence):
            return SigmaYAMLNode(kind: .sequence(sequence.map { convert($0, sink: &sink) }), position: position)
        case .scalar(let scalar):
            guard scalar.style == .plain else {
                let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
                return SigmaYAMLNode(kind: .scalar(.string(scalar.string)), position: position, isQuoted: quoted)
            }
            let value: Scalar
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: value = .null
            case .bool: value = node.bool.map { .bool($0, scalar.string) } ?? .string(scalar.string)
            case .int, .float: value = .number(scalar.string)
            default: value = .string(scalar.string)
            }
            return SigmaYAMLNode(kind: .scalar(value), position: position)
        }
    }
}
