// SPDX-License-Identifier: Apache-2.0

/// One problem in a Sigma file: a stable code, where it is, and what to do about it.
///
/// Messages name rule elements (fields, modifiers, identifiers) but never event values.
public struct SigmaDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// A stable diagnostic code such as `SIGMA-E003`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code text.
        public let rawValue: String

        private init(_ rawValue: String) {
            self.rawValue = rawValue
        }

        /// The file is not valid YAML, or uses YAML features Sigma rules do not need (aliases).
        public static let yaml = Code("SIGMA-E001")
        /// A required part is missing or has the wrong shape (`title`, `logsource`, `detection`, `condition`).
        public static let structure = Code("SIGMA-E002")
        /// A modifier name is not known.
        public static let unknownModifier = Code("SIGMA-E003")
        /// Modifiers that cannot be combined, or a modifier applied to a value it cannot take.
        public static let invalidModifier = Code("SIGMA-E004")
        /// An `expand` placeholder has no configured values.
        public static let unresolvedPlaceholder = Code("SIGMA-E005")
        /// A regular expression is invalid or uses an unsupported construct.
        public static let invalidRegex = Code("SIGMA-E006")
        /// The condition is not valid Sigma condition syntax.
        public static let conditionSyntax = Code("SIGMA-E007")
        /// The condition names a search identifier (or a pattern) that the detection does not define.
        public static let unknownIdentifier = Code("SIGMA-E008")
        /// `all` was given a single value.
        public static let allWithSingleValue = Code("SIGMA-E009")
        /// `null` appears inside a list of values.
        public static let nullInList = Code("SIGMA-E010")
        /// A value that a modifier cannot use (a CIDR, a number, a boolean expected).
        public static let invalidValue = Code("SIGMA-E011")
        /// A correlation rule is malformed.
        public static let correlation = Code("SIGMA-E012")
        /// The obsolete aggregation syntax (`| count() by …`, `near`).
        public static let obsoleteAggregation = Code("SIGMA-E013")

        /// The code text.
        public var description: String {
            rawValue
        }
    }

    /// The stable code.
    public var code: Code
    /// The file, as the caller named it.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates a diagnostic.
    public init(code: Code, file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: CODE: message`, with the parts that are known.
    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column {
                location += ":\(column)"
            }
        }
        return "\(location): \(code): \(message)"
    }
}

/// A position in a YAML source, 1-based.
struct SourcePosition: Sendable, Hashable {
    var line: Int
    var column: Int

    static let start = SourcePosition(line: 1, column: 1)
}

/// Collects diagnostics for one file.
struct DiagnosticSink {
    let file: String
    var diagnostics: [SigmaDiagnostic] = []

    init(file: String) {
        self.file = file
    }

    mutating func report(_ code: SigmaDiagnostic.Code, at position: SourcePosition?, _ message: String) {
        diagnostics.append(
            SigmaDiagnostic(code: code, file: file, line: position?.line, column: position?.column, message: message)
        )
    }
}
