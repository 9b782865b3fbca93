// SPDX-License-Identifier: Apache-2.0

/// One problem in a definition: where (a JSON path, and a file position for YAML) and what to do.
public struct ConfigDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The file, for definitions read from files.
    public var file: String?
    /// 1-based line and column in the file, when known.
    public var line: Int?
    /// 1-based column in the file, when known.
    public var column: Int?
    /// The JSON path inside the definition (`$.targets[0].target`).
    public var path: String
    /// What is wrong and what would be valid; never a secret or payload value.
    public var message: String

    /// Creates a diagnostic.
    public init(file: String? = nil, line: Int? = nil, column: Int? = nil, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// `file:line:column: path: message`, with the parts that are known.
    public var description: String {
        var location = ""
        if let file {
            location = file
            if let line {
                location += ":\(line)"
                if let column {
                    location += ":\(column)"
                }
            }
            location += ": "
        }
        return "\(location)\(path): \(message)"
    }
}

/// The diagnostics of a definition that could not be accepted (all of them, not just the first).
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// Every problem found.
    public var diagnostics: [ConfigDiagnostic]

    /// Wraps diagnostics.
    public init(_ diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One diagnostic per line.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
