// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// A target's definition as the log records it: every secret replaced by its fingerprint, and the
/// secrets themselves by fingerprint, for the sealed secret store.
///
/// A secret is a string of the definition whose fingerprint the kind's redaction shows
/// (``TargetSettings/redactedMembers(_:)``): a URL that carries a credential, a header value, a
/// signing secret, a routing key. So each kind owns what is secret, and a kind must fingerprint
/// each secret as it is written in the definition (a value derived from two strings would not be
/// recognised). Object member names are never secrets.
public struct TargetSecretTemplate: Sendable, Hashable {
    /// The definition with each secret replaced by its fingerprint.
    public var template: JSONValue
    /// Each secret by its fingerprint.
    public var secrets: [String: String]

    /// The fingerprints the template refers to, sorted.
    public var fingerprints: [String] {
        secrets.keys.sorted()
    }

    /// The definition again: the template with each fingerprint replaced by its secret.
    public var definition: JSONValue {
        Self.replacing(in: template) { secrets[$0] }
    }

    /// Splits `definition`, the JSON `target` was read from.
    ///
    /// - Parameters:
    ///   - definition: The definition as submitted.
    ///   - target: The target read from it.
    ///   - redactor: The node's fingerprint key.
    public init(_ definition: JSONValue, target: TargetDefinition, redactor: SecretRedactor) {
        let shown = Self.strings(in: target.redactedJSON(redactor)).filter { $0.hasPrefix(SecretRedactor.label) }
        var secrets: [String: String] = [:]
        template = Self.replacing(in: definition) { text in
            let fingerprint = redactor.fingerprint(text)
            guard shown.contains(fingerprint) else {
                return nil
            }
            secrets[fingerprint] = text
            return fingerprint
        }
        self.secrets = secrets
    }

    /// Every string value in `value`, at any depth.
    static func strings(in value: JSONValue) -> Set<String> {
        switch value {
        case .string(let text):
            return [text]
        case .array(let items):
            return items.reduce(into: Set<String>()) { $0.formUnion(strings(in: $1)) }
        case .object(let object):
            return object.members.reduce(into: Set<String>()) { $0.formUnion(strings(in: $1.value)) }
        case .null, .bool, .number:
            return []
        }
    }

    /// `value` with each string that `replacement` maps replaced, at any depth.
    static func replacing(in value: JSONValue, _ replacement: (String) -> String?) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(replacement(text) ?? text)
        case .array(let items):
            return .array(items.map { replacing(in: $0, replacement) })
        case .object(let object):
            return .object(
                JSONObject(object.members.map { .init(name: $0.name, value: replacing(in: $0.value, replacement)) })
            )
        case .null, .bool, .number:
            return value
        }
    }
}
