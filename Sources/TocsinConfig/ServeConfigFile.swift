// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// A `tocsin.yaml` server configuration file, read and checked against ``ServeSetting/all``.
///
/// The file is one flat mapping whose keys are the `tocsin serve` flags with `_` for `-`
/// (`max_body_bytes: 1048576`). Every problem is reported at once, each with its line and column:
/// an unknown key (with the nearest known one), a value of the wrong type, YAML that does not parse.
/// A key whose value is empty (`tls_cert:`) is the same as a key left out. Values never appear in
/// diagnostics, since some are secrets or name them.
public struct ServeConfigFile: Sendable {
    /// One key's value in the flag's argument form, and where it was written.
    public struct Entry: Sendable, Hashable {
        /// The value as the flag would take it: one element, or one per list item.
        public var values: [String]
        /// 1-based line of the key.
        public var line: Int?
        /// 1-based column of the key.
        public var column: Int?
    }

    /// The file's path, as given.
    public let file: String
    /// The entries by file key.
    public let entries: [String: Entry]

    /// Reads `text`, the contents of `file`.
    ///
    /// - Throws: ``ConfigError`` with every problem, each located at its key or list item.
    public init(text: String, file: String) throws(ConfigError) {
        let (read, diagnostics) = try ServeConfigFile.read(text: text, file: file)
        guard diagnostics.isEmpty else {
            throw ConfigError(diagnostics)
        }
        self = read
    }

    private init(file: String, entries: [String: Entry]) {
        self.file = file
        self.entries = entries
    }

    /// Reads `text` leniently, for checking: the entries that are valid, and the problems of the
    /// others (`tocsin config check` still finds `rules_dir` in a file with an unknown key).
    ///
    /// - Throws: ``ConfigError`` when the text is not YAML at all.
    public static func read(
        text: String,
        file: String
    ) throws(ConfigError) -> (file: ServeConfigFile, diagnostics: [ConfigDiagnostic]) {
        let document = try YAMLDocument(text: text, file: file)
        var entries: [String: Entry] = [:]
        var diagnostics: [ConfigDiagnostic] = []
        func position(_ path: String) -> (line: Int, column: Int)? { document.positions[path] }
        func problem(_ path: String, _ message: String) {
            let place = position(path)
            diagnostics.append(
                ConfigDiagnostic(file: file, line: place?.line, column: place?.column, path: path, message: message)
            )
        }
        switch document.value {
        case .null:
            break
        case .object(let object):
            for member in object.members {
                let path = "$.\(member.name)"
                guard let setting = ServeSetting.named(member.name) else {
                    problem(path, ServeConfigFile.unknownKeyMessage(member.name))
                    continue
                }
                if case .null = member.value {
                    continue
                }
                switch ServeConfigFile.values(of: member.value, for: setting, path: path) {
                case .success(let values):
                    let place = position(path)
                    entries[setting.key] = Entry(values: values, line: place?.line, column: place?.column)
                case .failure(let failure):
                    problem(failure.path, failure.message)
                }
            }
        default:
            problem(
                "$",
                "the file must be a mapping of settings, e.g. 'http: 127.0.0.1:8080'; found "
                    + ServeConfigFile.article(document.value.typeName)
            )
        }
        return (ServeConfigFile(file: file, entries: entries), diagnostics)
    }

    /// The entry of `setting`, when the file sets it.
    public func entry(for setting: ServeSetting) -> Entry? {
        entries[setting.key]
    }

    private struct Failure: Error {
        let path: String
        let message: String
    }

    private static func values(
        of value: JSONValue,
        for setting: ServeSetting,
        path: String
    ) -> Result<[String], Failure> {
        let key = setting.key
        func wrong(_ expected: String, at failurePath: String? = nil, found: JSONValue? = nil) -> Failure {
            Failure(
                path: failurePath ?? path,
                message: "\(key) must be \(expected); found \(ServeConfigFile.article((found ?? value).typeName))"
            )
        }
        switch (setting.kind, value) {
        case (.string, .string(let text)):
            return .success([text])
        case (.string, _):
            return .failure(wrong("a string (quote it: \(key): \"...\")"))
        case (.integer, .number(let number)):
            guard let integer = number.int64Value else {
                return .failure(Failure(path: path, message: "\(key) must be a whole number, e.g. \(key): 60"))
            }
            return .success([String(integer)])
        case (.integer, _):
            return .failure(wrong("a whole number, unquoted, e.g. \(key): 60"))
        case (.number, .number(let number)):
            guard let double = number.doubleValue, double.isFinite else {
                return .failure(Failure(path: path, message: "\(key) must be a finite number, e.g. \(key): 100"))
            }
            return .success([number.text])
        case (.number, _):
            return .failure(wrong("a number, unquoted, e.g. \(key): 100"))
        case (.boolean, .bool(let flag)):
            return .success([flag ? "true" : "false"])
        case (.boolean, _):
            return .failure(wrong("true or false, unquoted"))
        case (.list, .array(let items)):
            var texts: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    return .failure(wrong("a list of strings", at: "\(path)[\(index)]", found: item))
                }
                texts.append(text)
            }
            return .success(texts)
        case (.list, _):
            return .failure(wrong("a list of strings, e.g. \(key): [\"a\", \"b\"] or one '- item' a line"))
        case (.roleScopes, .object(let roles)):
            var pairs: [String] = []
            for member in roles.members {
                guard case .object = member.value else {
                    return .failure(
                        wrong("a mapping of role to event pattern", at: "\(path).\(member.name)", found: member.value)
                    )
                }
                pairs.append(member.name + "=" + JSONWriter().string(member.value))
            }
            return .success(pairs)
        case (.roleScopes, _):
            return .failure(wrong("a mapping of role to event pattern, e.g. publisher: {source: [x]}"))
        }
    }

    /// `an object`, `a string`: a JSON type name with its article.
    private static func article(_ typeName: String) -> String {
        (typeName.first.map { "aeiou".contains($0) } == true ? "an " : "a ") + typeName
    }

    /// The message for an unknown key: the nearest known key when one is close.
    static func unknownKeyMessage(_ key: String) -> String {
        let nearest = ServeSetting.all.map(\.key).min {
            editDistance(key, $0) < editDistance(key, $1)
        }
        var message = "unknown key '\(key)'"
        if let nearest, editDistance(key, nearest) <= max(2, key.count / 3) {
            message += "; did you mean '\(nearest)'?"
        } else {
            message += "."
        }
        return message
            + " Keys are the 'tocsin serve' flags with _ for - (max_body_bytes for --max-body-bytes); "
            + "deploy/tocsin.yaml lists them all"
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ left: String, _ right: String) -> Int {
        let a = Array(left)
        let b = Array(right)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
