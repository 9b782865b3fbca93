// SPDX-License-Identifier: Apache-2.0

import TocsinConfig
import TocsinCore

/// The rules as they stood at a sequence number, folded from the log.
///
/// Every change through `PUT` and `DELETE /v1/rules/{name}` appends `tocsin.rule.created`,
/// `.updated` or `.deleted` (source `/tocsin/admin`) with the rule's name and, but for a deletion,
/// its definition: folding those events in sequence order up to a sequence number gives the API's
/// rules at that point. Each load of the rules directory appends `tocsin.rule.loaded` (source
/// `/tocsin/config`) for every rule whose text changed, then `tocsin.config.reloaded` naming the
/// rules it holds, which gives the directory's event-pattern rules at that point. Sigma files and
/// targets are used as they are now.
enum RuleHistory {
    /// The source of the administrative events.
    static let source = "/tocsin/admin"

    /// The definition of each rule defined through the API after every event up to and including
    /// `sequence`, by name; `events` are in sequence order (others than rule changes are ignored).
    static func fold(_ events: [LoggedEvent], through sequence: Int64) -> [String: JSONValue] {
        var rules: [String: JSONValue] = [:]
        let parser = JSONParser()
        for logged in events where logged.sequence <= sequence && logged.event.source == source {
            guard logged.event.type.hasPrefix("tocsin.rule."), case .json(let bytes)? = logged.event.data,
                let data = try? parser.parse(bytes), let name = data["name"]?.stringValue
            else {
                continue
            }
            switch logged.event.type {
            case "tocsin.rule.created", "tocsin.rule.updated":
                rules[name] = data["definition"]
            case "tocsin.rule.deleted":
                rules[name] = nil
            default:
                continue
            }
        }
        return rules
    }

    /// The source of the rules directory's events.
    static let directorySource = "/tocsin/config"

    /// The rules directory's event-pattern rules after every event up to and including `sequence`,
    /// by name: the rules the last `tocsin.config.reloaded` names, each with the definition of its
    /// last `tocsin.rule.loaded`; none when no load of the directory is logged by then.
    ///
    /// - Throws: ``ConfigError`` naming each rule the directory held whose definition the log
    ///   lacks (a log written before `tocsin.rule.loaded` existed).
    static func directoryRules(_ events: [LoggedEvent], through sequence: Int64) throws -> [String: JSONValue] {
        var texts: [String: JSONValue] = [:]
        var loaded: [(name: String, definition: JSONValue?)] = []
        let parser = JSONParser()
        for logged in events where logged.sequence <= sequence && logged.event.source == directorySource {
            guard case .json(let bytes)? = logged.event.data, let data = try? parser.parse(bytes) else {
                continue
            }
            switch logged.event.type {
            case "tocsin.rule.loaded":
                // Sigma rules are logged with their file's text (a string); only pattern rules are
                // objects. A name that became a Sigma rule no longer has a pattern text.
                if let name = data["name"]?.stringValue, let definition = data["definition"] {
                    if case .object = definition {
                        texts[name] = definition
                    } else {
                        texts[name] = nil
                    }
                }
            case "tocsin.config.reloaded":
                // The rules of a load are its texts as they stood when it was logged.
                if case .array(let listed)? = data["rules"] {
                    loaded = listed.compactMap(\.stringValue).map { ($0, texts[$0]) }
                }
            default:
                continue
            }
        }
        var rules: [String: JSONValue] = [:]
        var missing: [ConfigDiagnostic] = []
        for (name, definition) in loaded {
            if let definition {
                rules[name] = definition
            } else {
                missing.append(
                    ConfigDiagnostic(
                        path: "/rules_as_of",
                        message:
                            "the log holds no definition of rules-directory rule '\(name)' at that sequence (it was written before rule texts were logged); replay without rules_as_of"
                    )
                )
            }
        }
        guard missing.isEmpty else {
            throw ConfigError(missing)
        }
        return rules
    }
}
