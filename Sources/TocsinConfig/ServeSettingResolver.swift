// SPDX-License-Identifier: Apache-2.0

/// Decides where each `tocsin serve` setting comes from: the command line, else the `TOCSIN_*`
/// environment, else the configuration file, else (when none sets it) the option's default.
///
/// Pure: the environment and the file are given, so the precedence is tested as a table.
public struct ServeSettingResolver: Sendable {
    /// Where a resolved value came from.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// The command-line flag.
        case flag
        /// The named environment variable.
        case environment(String)
        /// The configuration file, at the key's line and column.
        case file(path: String, line: Int?, column: Int?)

        /// `--flag`, `environment variable NAME` or `file:line:column`, for messages.
        public var description: String {
            switch self {
            case .flag:
                return "the command line"
            case .environment(let name):
                return "environment variable \(name)"
            case .file(let path, let line, let column):
                return [path, line.map(String.init), column.map(String.init)].compactMap { $0 }.joined(separator: ":")
            }
        }
    }

    /// A setting's value and where it came from.
    public struct Resolved: Sendable, Hashable {
        /// The value in the flag's argument form: one element, or one per list item; for
        /// ``ServeSetting/Kind/roleScopes`` from the environment, the one JSON object text.
        public var values: [String]
        /// Where the value came from.
        public var source: Source

        /// The first value, for single-valued settings.
        public var text: String { values.first ?? "" }
    }

    /// The process environment (only `TOCSIN_*` names are read).
    public var environment: [String: String]
    /// The configuration file, when one is given.
    public var file: ServeConfigFile?

    /// Creates a resolver over `environment` and `file`.
    public init(environment: [String: String], file: ServeConfigFile?) {
        self.environment = environment
        self.file = file
    }

    /// The value of `setting`: `flag` when the command line gave one (non-empty), else the
    /// environment variable when set and not empty, else the file's entry; `nil` when none sets it.
    ///
    /// A list environment variable is split at commas; a boolean one is `true` when it is `1` or
    /// `true` and `false` otherwise.
    public func resolve(_ setting: ServeSetting, flag: [String]) -> Resolved? {
        if !flag.isEmpty {
            return Resolved(values: flag, source: .flag)
        }
        if let name = setting.environment, let text = environment[name], !text.isEmpty {
            let values: [String]
            switch setting.kind {
            case .list:
                values = text.split(separator: ",").map(String.init)
            case .boolean:
                values = [text == "1" || text.lowercased() == "true" ? "true" : "false"]
            case .string, .integer, .number, .roleScopes:
                values = [text]
            }
            return Resolved(values: values, source: .environment(name))
        }
        if let file, let entry = file.entry(for: setting) {
            return Resolved(
                values: entry.values,
                source: .file(path: file.file, line: entry.line, column: entry.column)
            )
        }
        return nil
    }
}
