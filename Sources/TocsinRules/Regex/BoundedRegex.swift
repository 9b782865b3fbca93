// SPDX-License-Identifier: Apache-2.0

/// A regular expression whose matching work is linear in the length of the text.
///
/// This is the engine behind Sigma's `re` modifier, where the pattern comes from a rule file and
/// may be hostile. The dialect is the RE2 subset that SigmaHQ rules use: literals and escapes,
/// `.`, classes (with POSIX names), anchors, groups (named or not), alternation, greedy and lazy
/// quantifiers, counted repetition, and the flags `i`, `m`, `s`. Back-references, look-around,
/// possessive quantifiers and atomic groups are rejected with a ``SyntaxError`` that says so.
///
/// The pattern compiles to an NFA that is simulated over the Unicode scalars of the text (a
/// Thompson/Pike simulation), so a match visits at most ``programSize`` states per position:
/// `(a+)+$` on 30,000 `a`s is as cheap as `a+$`. Invalid UTF-8 in the text reads as U+FFFD.
/// See `docs/adr/0005-bounded-regex.md`.
///
/// ```swift
/// let regex = try BoundedRegex(#".+:assumed-role/aws:.+"#)
/// regex.matches(in: "arn:aws:sts::1:assumed-role/aws:ec2/i-1")  // true
/// ```
public struct BoundedRegex: Sendable {
    /// The flags Sigma spells `re|i`, `re|m` and `re|s`; `(?i)`, `(?m)` and `(?s)` in the pattern
    /// set them too.
    public struct Options: Sendable, Hashable {
        /// Letters match their case variants (simple Unicode case folding).
        public var caseInsensitive: Bool
        /// `^` and `$` also match at the start and end of each line.
        public var multiline: Bool
        /// `.` also matches `\n`.
        public var dotMatchesNewline: Bool

        /// Creates options; every flag is off by default.
        public init(caseInsensitive: Bool = false, multiline: Bool = false, dotMatchesNewline: Bool = false) {
            self.caseInsensitive = caseInsensitive
            self.multiline = multiline
            self.dotMatchesNewline = dotMatchesNewline
        }
    }

    /// The work one search did, for tests and diagnostics.
    public struct SearchStatistics: Sendable, Hashable {
        /// Whether some substring matched.
        public var matched: Bool
        /// NFA states entered, summed over the positions visited; never more than
        /// ``BoundedRegex/programSize`` × ``positionCount``.
        public var stepCount: Int
        /// Text positions visited; never more than the text's UTF-8 length + 1.
        public var positionCount: Int
    }

    /// The longest pattern accepted, in UTF-8 bytes.
    public static let maxPatternBytes = 8_192
    /// The largest compiled program accepted, in instructions.
    public static let maxProgramSize = 10_000
    /// The largest count accepted in `{n}`, `{n,}` and `{n,m}` (as in RE2).
    public static let maxRepetitionCount = 1_000
    /// The deepest nesting of groups accepted (the parser is recursive; this bounds its stack).
    public static let maxNestingDepth = 100

    /// The pattern as written.
    public let pattern: String
    /// The options it was compiled with.
    public let options: Options
    let program: RegexProgram
    private let dfa: LazyDFACache

    /// Compiles `pattern`.
    ///
    /// - Parameters:
    ///   - pattern: The regular expression, in the dialect described on the type.
    ///   - options: Flags that apply to the whole pattern.
    /// - Throws: ``SyntaxError`` for a malformed pattern, a construct outside the dialect, or a
    ///   pattern beyond ``maxPatternBytes``, ``maxProgramSize``, ``maxRepetitionCount`` or
    ///   ``maxNestingDepth``.
    public init(_ pattern: String, options: Options = Options()) throws(SyntaxError) {
        let length = pattern.utf8.count
        if length > Self.maxPatternBytes {
            throw SyntaxError(
                code: .limitExceeded,
                message: "the pattern is \(length) bytes long, more than the limit of \(Self.maxPatternBytes); "
                    + "shorten it or split it into several rules",
                offset: Self.maxPatternBytes
            )
        }
        var parser = RegexParser(pattern, options: options)
        let node = try parser.parse()
        self.pattern = pattern
        self.options = options
        program = RegexProgram(node)
        dfa = LazyDFACache(program: program)
    }

    /// The number of NFA instructions the pattern compiled to.
    public var programSize: Int { program.instructions.count }

    /// Whether some substring of `text` matches.
    public func matches(in text: some StringProtocol) -> Bool {
        if let answer = text.utf8.withContiguousStorageIfAvailable({ matches(utf8: $0) }) {
            return answer
        }
        return matches(utf8: Array(text.utf8))
    }

    /// Whether some substring of the UTF-8 text `bytes` matches; invalid sequences read as U+FFFD.
    public func matches(utf8 bytes: some Sequence<UInt8>) -> Bool {
        if let answer = bytes.withContiguousStorageIfAvailable({ matches(utf8: $0) }) {
            return answer
        }
        return Array(bytes).withUnsafeBufferPointer { matches(utf8: $0) }
    }

    /// Whether some substring of the UTF-8 text in `buffer` matches; invalid sequences read as U+FFFD.
    public func matches(utf8 buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        if !program.requiredLiteral.bytes.isEmpty {
            let found = program.requiredLiteral.occurs(in: buffer)
            if !found || program.isPlainLiteral {
                return found
            }
        }
        return dfa.matches(buffer) ?? PikeVM(program: program).run(buffer).matched
    }

    /// Runs the NFA simulation alone (no literal pre-check) and reports the work it did.
    public func searchStatistics(utf8 bytes: [UInt8]) -> SearchStatistics {
        let outcome = bytes.withUnsafeBufferPointer { PikeVM(program: program).run($0) }
        return SearchStatistics(matched: outcome.matched, stepCount: outcome.steps, positionCount: outcome.positions)
    }
}

extension BoundedRegex {
    /// Why a pattern was rejected: what is wrong, how to fix it, and where.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The kind of problem.
        public enum Code: String, Sendable, Hashable {
            /// The pattern is not well formed (unbalanced parenthesis, bad escape, bad range…).
            case malformed
            /// A construct outside the dialect: back-references, look-around, possessive
            /// quantifiers, atomic groups, `\p{…}`…
            case unsupported
            /// The pattern is longer, or compiles larger, than the documented limits.
            case limitExceeded
        }

        /// The kind of problem.
        public let code: Code
        /// What is wrong and how to fix it; never quotes text the pattern is matched against.
        public let message: String
        /// The UTF-8 offset in the pattern where the problem starts.
        public let offset: Int

        /// Creates an error.
        public init(code: Code, message: String, offset: Int) {
            self.code = code
            self.message = message
            self.offset = offset
        }

        /// `offset N: message`.
        public var description: String {
            "offset \(offset): \(message)"
        }
    }
}
