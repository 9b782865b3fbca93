// SPDX-License-Identifier: Apache-2.0

/// A byte string that every matching text contains: the pre-check that rejects most texts before
/// the NFA runs.
struct RequiredLiteral: Sendable, Hashable {
    /// The bytes; lower-cased when ``folded``.
    var bytes: [UInt8]
    /// Whether the text is compared with ASCII letters lower-cased.
    var folded: Bool

    /// No requirement.
    static let empty = RequiredLiteral(bytes: [], folded: false)

    /// `self` followed by `other`.
    func appending(_ other: RequiredLiteral) -> RequiredLiteral {
        let folded = folded || other.folded
        let joined = bytes + other.bytes
        return RequiredLiteral(bytes: folded ? joined.map(Self.lower) : joined, folded: folded)
    }

    /// Whether the literal occurs in `text` (always true when empty).
    func occurs(in text: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { needle in
            guard let first = needle.first else {
                return true
            }
            let count = needle.count
            guard count <= text.count else {
                return false
            }
            let last = text.count - count
            var index = 0
            if folded {
                while index <= last {
                    if Self.lower(text[index]) == first {
                        var offset = 1
                        while offset < count, Self.lower(text[index + offset]) == needle[offset] {
                            offset += 1
                        }
                        if offset == count {
                            return true
                        }
                    }
                    index += 1
                }
                return false
            }
            while index <= last {
                if text[index] == first {
                    var offset = 1
                    while offset < count, text[index + offset] == needle[offset] {
                        offset += 1
                    }
                    if offset == count {
                        return true
                    }
                }
                index += 1
            }
            return false
        }
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }
}

/// Literal byte strings implied by a node: the one it always matches exactly (if any) and the
/// longest one every match must contain.
///
/// Under `(?i)` a letter whose case variants are exactly its two ASCII forms becomes a folded byte
/// (`k` and `s` are not: the Kelvin sign and the long s are among their variants).
struct LiteralAnalysis {
    /// What the node always matches, when it matches one fixed string; assertions count as "".
    var exact: RequiredLiteral?
    /// The longest literal known to occur in every match.
    var required: RequiredLiteral

    init(_ node: RegexNode) {
        switch node {
        case .empty, .assertion:
            exact = .empty
            required = .empty
        case .literal(let scalar) where scalar != UTF8Scalars.replacement:
            let bytes = Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            exact = RequiredLiteral(bytes: bytes, folded: false)
            required = exact ?? .empty
        case .set(let set) where Self.foldedLetter(set) != nil:
            exact = RequiredLiteral(bytes: [Self.foldedLetter(set) ?? 0], folded: true)
            required = exact ?? .empty
        case .literal, .set, .any:
            // U+FFFD also stands for invalid bytes, so it cannot be searched for as bytes.
            exact = nil
            required = .empty
        case .concat(let items):
            var run: RequiredLiteral? = RequiredLiteral.empty
            var best = RequiredLiteral.empty
            var allExact = true
            for item in items {
                let inner = LiteralAnalysis(item)
                if let piece = inner.exact {
                    run = (run ?? .empty).appending(piece)
                } else {
                    if let current = run, current.bytes.count > best.bytes.count {
                        best = current
                    }
                    run = nil
                    allExact = false
                }
                if inner.required.bytes.count > best.bytes.count {
                    best = inner.required
                }
            }
            if let current = run, current.bytes.count > best.bytes.count {
                best = current
            }
            exact = allExact ? run : nil
            required = best
        case .alternation(let branches):
            let analyses = branches.map(LiteralAnalysis.init)
            let first = analyses.first?.exact
            exact = first != nil && analyses.allSatisfy { $0.exact == first } ? first : nil
            required = exact ?? .empty
        case .repetition(let body, let min, let max):
            let inner = LiteralAnalysis(body)
            required = min > 0 ? inner.required : .empty
            if let piece = inner.exact, min == max, piece.bytes.count * min <= 256 {
                var repeated = RequiredLiteral.empty
                for _ in 0..<min {
                    repeated = repeated.appending(piece)
                }
                exact = repeated
                required = repeated
            } else {
                exact = nil
            }
        }
    }

    /// The lower-case byte of an ASCII letter whose set is exactly its two cases, else `nil`.
    private static func foldedLetter(_ set: ScalarSet) -> UInt8? {
        let ranges = set.ranges
        guard ranges.count == 2, ranges[0].count == 1, ranges[1].count == 1 else {
            return nil
        }
        let upper = ranges[0].lowerBound
        let lower = ranges[1].lowerBound
        guard (0x41...0x5A).contains(upper), lower == upper | 0x20 else {
            return nil
        }
        return UInt8(lower)
    }
}
