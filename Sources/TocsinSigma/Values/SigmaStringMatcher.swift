// SPDX-License-Identifier: Apache-2.0

/// A compiled string test: a Sigma value (with its wildcards) against the text of one event value.
///
/// Works on UTF-8 bytes. Case-insensitive matchers compare lower-cased bytes on both sides
/// (``SigmaFolding``); `?` and a choice consume one whole character, so multi-byte characters
/// behave as in a character-based matcher.
struct SigmaStringMatcher: Sendable, Hashable {
    enum Shape: Sendable, Hashable {
        case exact([UInt8])
        case prefix([UInt8])
        case suffix([UInt8])
        case contains([UInt8])
        case glob([GlobToken])
    }

    enum GlobToken: Sendable, Hashable {
        case literal([UInt8])
        case multi
        case single
        case oneOf([[UInt8]])
    }

    let shape: Shape
    /// Whether the comparison is case-sensitive (`cased`).
    let isCased: Bool

    init(_ value: SigmaString, isCased: Bool) {
        self.isCased = isCased
        var glob: [GlobToken] = []
        var run = String.UnicodeScalarView()
        func flush() {
            if !run.isEmpty {
                let text = String(run)
                glob.append(.literal(Array((isCased ? text : text.lowercased()).utf8)))
                run = String.UnicodeScalarView()
            }
        }
        for token in value.tokens {
            switch token {
            case .literal(let scalar):
                run.append(scalar)
            case .multi:
                flush()
                if glob.last != .multi {
                    glob.append(.multi)
                }
            case .single:
                flush()
                glob.append(.single)
            case .oneOf(let choices):
                flush()
                glob.append(
                    .oneOf(choices.map { Array((isCased ? String($0) : String($0).lowercased()).utf8) })
                )
            }
        }
        flush()
        shape = Self.shape(of: glob)
    }

    private static func shape(of glob: [GlobToken]) -> Shape {
        switch glob.count {
        case 0:
            return .exact([])
        case 1:
            if case .literal(let bytes) = glob[0] {
                return .exact(bytes)
            }
        case 2:
            if case .literal(let bytes) = glob[0], glob[1] == .multi {
                return .prefix(bytes)
            }
            if glob[0] == .multi, case .literal(let bytes) = glob[1] {
                return .suffix(bytes)
            }
        case 3:
            if glob[0] == .multi, glob[2] == .multi, case .literal(let bytes) = glob[1] {
                return .contains(bytes)
            }
        default:
            break
        }
        return .glob(glob)
    }

    /// Whether the value matches; `original` is its UTF-8, `folded` its lower-cased UTF-8.
    func matches(original: UnsafeBufferPointer<UInt8>, folded: UnsafeBufferPointer<UInt8>) -> Bool {
        let text = isCased ? original : folded
        switch shape {
        case .exact(let bytes):
            return text.count == bytes.count && text.elementsEqual(bytes)
        case .prefix(let bytes):
            return text.count >= bytes.count && text.starts(with: bytes)
        case .suffix(let bytes):
            return text.count >= bytes.count && text[(text.count - bytes.count)...].elementsEqual(bytes)
        case .contains(let bytes):
            return SigmaBytes.find(bytes, in: text, from: 0) != nil
        case .glob(let tokens):
            return Self.globMatches(tokens, text)
        }
    }

    /// Wildcard matching with backtracking to the last `*` (linear space, at most text × pattern steps).
    private static func globMatches(_ tokens: [GlobToken], _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var token = 0
        var position = 0
        var starToken = -1
        var starPosition = 0
        while token < tokens.count || position < text.count {
            if token < tokens.count {
                switch tokens[token] {
                case .multi:
                    starToken = token
                    starPosition = position
                    token += 1
                    continue
                case .literal(let bytes):
                    if text.count - position >= bytes.count, SigmaBytes.equal(bytes, text, at: position) {
                        position += bytes.count
                        token += 1
                        continue
                    }
                case .single:
                    if position < text.count {
                        position += SigmaBytes.scalarLength(text[position])
                        token += 1
                        continue
                    }
                case .oneOf(let choices):
                    if let choice = choices.first(where: {
                        text.count - position >= $0.count && SigmaBytes.equal($0, text, at: position)
                    }) {
                        position += choice.count
                        token += 1
                        continue
                    }
                }
            }
            guard starToken >= 0, starPosition < text.count else {
                return false
            }
            starPosition += SigmaBytes.scalarLength(text[starPosition])
            position = starPosition
            token = starToken + 1
        }
        return true
    }
}

/// Byte helpers shared by the matchers.
enum SigmaBytes {
    /// The length of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte).
    @inline(__always)
    static func scalarLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }

    /// Whether `needle` occurs in `haystack` at `offset` (the caller checked the length).
    @inline(__always)
    static func equal(_ needle: [UInt8], _ haystack: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        var index = 0
        while index < needle.count {
            if haystack[offset + index] != needle[index] {
                return false
            }
            index += 1
        }
        return true
    }

    /// The first offset at or after `start` where `needle` occurs.
    static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let head = needle.first else {
            return start <= haystack.count ? start : nil
        }
        guard haystack.count - start >= needle.count else {
            return nil
        }
        let last = haystack.count - needle.count
        var index = start
        while index <= last {
            if haystack[index] == head, equal(needle, haystack, at: index) {
                return index
            }
            index += 1
        }
        return nil
    }
}

/// Lower-casing for case-insensitive values: per character `lowercased()`, bytes as they are for ASCII.
enum SigmaFolding {
    /// Writes the lower-cased UTF-8 of `text` into `output` (replacing its contents).
    static func fold(_ text: String, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        var isASCII = true
        for byte in text.utf8 {
            if byte >= 0x80 {
                isASCII = false
                break
            }
            output.append(byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte)
        }
        if !isASCII {
            output.removeAll(keepingCapacity: true)
            output.append(contentsOf: text.lowercased().utf8)
        }
    }
}
