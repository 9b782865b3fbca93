// SPDX-License-Identifier: Apache-2.0

/// Runs one string value through its modifiers, left to right, into the strings to compare with.
///
/// `expand` substitutes placeholders first; `windash` turns word-starting dashes into choices;
/// `contains`/`startswith`/`endswith` add wildcards; `utf16*` turn text into bytes and `base64`/
/// `base64offset` bytes (or text) into encoded text. Encoders refuse wildcards, which have no
/// encoded form.
struct SigmaStringPipeline {
    let options: SigmaCompileOptions

    /// The most strings one value may expand into (windash choices fed to an encoder, placeholders).
    static let expansionLimit = 1_000

    private enum Stage {
        case text([SigmaString])
        case bytes([[UInt8]])
    }

    func run(_ text: String, value: SigmaYAMLNode, item: SigmaItem, sink: inout DiagnosticSink) -> [SigmaString]? {
        var stage: Stage
        if item.modifiers.contains(.expand) {
            guard let expanded = expand(text, value: value, sink: &sink) else {
                return nil
            }
            stage = .text(expanded.map(SigmaString.init(parsing:)))
        } else {
            stage = .text([SigmaString(parsing: text)])
        }
        for modifier in item.modifiers {
            switch modifier {
            case .contains, .startswith, .endswith:
                let strings = texts(stage)
                stage = .text(
                    strings.map {
                        $0.wrapped(leading: modifier != .startswith, trailing: modifier != .endswith)
                    }
                )
            case .windash:
                stage = .text(texts(stage).map(SigmaEncoding.windash))
            case .utf16le, .utf16be, .utf16:
                guard let literals = literals(stage, modifier: modifier, value: value, sink: &sink) else {
                    return nil
                }
                stage = .bytes(literals.map { Self.utf16($0, modifier) })
            case .base64, .base64offset:
                let input: [[UInt8]]
                if case .bytes(let bytes) = stage {
                    input = bytes
                } else {
                    guard let literals = literals(stage, modifier: modifier, value: value, sink: &sink) else {
                        return nil
                    }
                    input = literals.map { Array($0.utf8) }
                }
                let encoded: [String]
                if modifier == .base64 {
                    encoded = input.map { SigmaEncoding.base64($0) }
                } else {
                    encoded = input.flatMap { SigmaEncoding.base64Offsets($0) }
                }
                stage = .text(encoded.map(SigmaString.init(literal:)))
            default:
                break
            }
        }
        return texts(stage)
    }

    private static func utf16(_ text: String, _ modifier: SigmaModifier) -> [UInt8] {
        switch modifier {
        case .utf16be: SigmaEncoding.utf16BigEndian(text)
        case .utf16: SigmaEncoding.utf16WithBOM(text)
        default: SigmaEncoding.utf16LittleEndian(text)
        }
    }

    private func texts(_ stage: Stage) -> [SigmaString] {
        switch stage {
        case .text(let strings): strings
        case .bytes(let bytes): bytes.map { SigmaString(literal: SigmaEncoding.latin1($0)) }
        }
    }

    /// The literal strings of a text stage for an encoder; wildcards are refused, choices expanded.
    private func literals(
        _ stage: Stage,
        modifier: SigmaModifier,
        value: SigmaYAMLNode,
        sink: inout DiagnosticSink
    ) -> [String]? {
        guard case .text(let strings) = stage else {
            sink.report(
                .invalidModifier,
                at: value.position,
                "'\(modifier.rawValue)' cannot follow another utf16 modifier; use one utf16 form, then base64 or base64offset"
            )
            return nil
        }
        var results: [String] = []
        for string in strings {
            guard let expanded = string.expandedChoices(limit: Self.expansionLimit) else {
                sink.report(
                    .invalidModifier,
                    at: value.position,
                    "'\(modifier.rawValue)' cannot encode wildcards (* or ?); escape them (\\* \\?) or put contains/startswith/endswith after the encoding modifiers"
                )
                return nil
            }
            results += expanded
        }
        guard results.count <= Self.expansionLimit else {
            sink.report(
                .invalidModifier,
                at: value.position,
                "this value expands into more than \(Self.expansionLimit) strings; simplify it"
            )
            return nil
        }
        return results
    }

    /// Substitutes every `%name%` with each of its configured values.
    private func expand(_ text: String, value: SigmaYAMLNode, sink: inout DiagnosticSink) -> [String]? {
        var results = [""]
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "%") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "%") else {
                break
            }
            let name = String(rest[afterOpen..<close])
            let literal = rest[..<open]
            guard let substitutes = options.placeholders[name], !substitutes.isEmpty else {
                sink.report(
                    .unresolvedPlaceholder,
                    at: value.position,
                    "placeholder '%\(name)%' has no configured values; define it (for example --placeholder \(name)=VALUE) or remove the rule"
                )
                return nil
            }
            guard results.count * substitutes.count <= Self.expansionLimit else {
                sink.report(
                    .unresolvedPlaceholder,
                    at: value.position,
                    "placeholders expand into more than \(Self.expansionLimit) values; use fewer"
                )
                return nil
            }
            results = results.flatMap { prefix in substitutes.map { prefix + literal + $0 } }
            rest = rest[rest.index(after: close)...]
        }
        return results.map { $0 + rest }
    }
}
