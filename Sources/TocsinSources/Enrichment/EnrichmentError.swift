// SPDX-License-Identifier: Apache-2.0

/// Why a threat-intelligence list or an identity directory file cannot be used: every problem
/// found (up to ``maxDiagnostics``), each located by file and line.
///
/// Messages say what is wrong with a line and how to fix it; they never repeat the line's content
/// (an identity directory holds personal data).
public struct EnrichmentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case invalidEntry = "invalid-entry"
            case invalidHeader = "invalid-header"
            case duplicateName = "duplicate-name"
            case limitExceeded = "limit-exceeded"
            case unreadable
        }

        private let value: Value

        /// A line is not an indicator, or a directory row is malformed.
        public static let invalidEntry = Code(value: .invalidEntry)
        /// The identity directory's header row lacks `user` or repeats a column.
        public static let invalidHeader = Code(value: .invalidHeader)
        /// Two lists share a name, or two directory rows share a user name or e-mail address.
        public static let duplicateName = Code(value: .duplicateName)
        /// A file is too large or holds too many entries.
        public static let limitExceeded = Code(value: .limitExceeded)
        /// A file cannot be read.
        public static let unreadable = Code(value: .unreadable)

        /// The stable code text (`invalid-entry`).
        public var description: String {
            value.rawValue
        }
    }

    /// One located problem.
    public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
        /// The file.
        public var file: String
        /// The 1-based line, when the problem is on one.
        public var line: Int?
        /// What is wrong and how to fix it.
        public var message: String

        /// Creates a diagnostic.
        public init(file: String, line: Int? = nil, message: String) {
            self.file = file
            self.line = line
            self.message = message
        }

        /// `file:line: message`.
        public var description: String {
            line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
        }
    }

    /// The code of the first problem.
    public var code: Code
    /// The problems, in file order; at most ``maxDiagnostics``.
    public var diagnostics: [Diagnostic]
    /// How many problems were found, listed or not.
    public var problemCount: Int

    /// Problems listed at most; the rest are counted.
    public static let maxDiagnostics = 20

    /// Creates an error of one problem.
    public init(code: Code, file: String, line: Int? = nil, message: String) {
        self.code = code
        self.diagnostics = [Diagnostic(file: file, line: line, message: message)]
        self.problemCount = 1
    }

    /// One diagnostic per line, then how many more were not listed.
    public var description: String {
        let lines = diagnostics.map(\.description)
        let more = problemCount - diagnostics.count
        return (more > 0 ? lines + ["and \(more) more problems"] : lines).joined(separator: "\n")
    }

    /// Collects problems while a file is read.
    struct Collector {
        private(set) var error: EnrichmentError?

        mutating func add(_ code: Code, file: String, line: Int?, message: String) {
            guard var current = error else {
                error = EnrichmentError(code: code, file: file, line: line, message: message)
                return
            }
            current.problemCount += 1
            if current.diagnostics.count < EnrichmentError.maxDiagnostics {
                current.diagnostics.append(Diagnostic(file: file, line: line, message: message))
            }
            error = current
        }
    }
}
