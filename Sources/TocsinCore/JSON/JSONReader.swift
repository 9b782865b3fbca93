// SPDX-License-Identifier: Apache-2.0

/// The byte-level recursive-descent reader behind ``JSONParser``.
///
/// Recursion depth is bounded by `maxDepth`, so the native stack use is bounded too.
struct JSONReader {
    private let bytes: UnsafeRawBufferPointer
    private let maxDepth: Int
    private let allowsDuplicateMembers: Bool
    private var index = 0
    private var depth = 0
    private var scratch: [UInt8] = []

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int, allowsDuplicateMembers: Bool = false) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.allowsDuplicateMembers = allowsDuplicateMembers
    }

    mutating func readDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try readValue()
        skipWhitespace()
        if index < bytes.count {
            throw fail(.trailingContent, "unexpected content after the top-level value")
        }
        return value
    }

    // MARK: - Values

    private mutating func readValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, "expected a value but the document ended")
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): return try readLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try readLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try readLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default:
            throw unexpected("expected a value (object, array, string, number, true, false or null)")
        }
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth {
            throw fail(.tooDeep, "nesting is deeper than the limit of \(maxDepth)")
        }
    }

    private mutating func readObject() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var members: [JSONObject.Member] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(JSONObject(members))
        }
        members.reserveCapacity(8)
        while true {
            skipWhitespace()
            guard index < bytes.count else {
                throw fail(.unexpectedEnd, "expected a member name but the document ended")
            }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw unexpected("expected a member name in double quotes")
            }
            let nameOffset = index
            let name = try readString()
            if !allowsDuplicateMembers {
                try rejectDuplicate(name, in: members, at: nameOffset)
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "expected ':' after a member name")
            skipWhitespace()
            let value = try readValue()
            members.append(JSONObject.Member(name: name, value: value))
            skipWhitespace()
            guard index < bytes.count else {
                throw fail(.unexpectedEnd, "expected ',' or '}' but the document ended")
            }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ",") {
                continue
            }
            if byte == UInt8(ascii: "}") {
                break
            }
            index -= 1
            throw unexpected("expected ',' or '}' after an object member")
        }
        depth -= 1
        return .object(JSONObject(members))
    }

    private func rejectDuplicate(
        _ name: String,
        in members: [JSONObject.Member],
        at offset: Int
    ) throws(JSONParseError) {
        let length = name.utf8.count
        for index in members.indices where members[index].name.utf8.count == length && members[index].name == name {
            throw JSONParseError(
                code: .duplicateMember,
                offset: offset,
                message: "duplicate member name in object; each name may appear once"
            )
        }
    }

    private mutating func readArray() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try readValue())
            skipWhitespace()
            guard index < bytes.count else {
                throw fail(.unexpectedEnd, "expected ',' or ']' but the document ended")
            }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ",") {
                continue
            }
            if byte == UInt8(ascii: "]") {
                break
            }
            index -= 1
            throw unexpected("expected ',' or ']' after an array element")
        }
        depth -= 1
        return .array(elements)
    }

    private mutating func readLiteral(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        let start = word.utf8Start
        for offset in 0..<count {
            guard index + offset < bytes.count else {
                index += offset
                throw fail(.unexpectedEnd, "the document ended inside a literal")
            }
            if bytes[index + offset] != start[offset] {
                index += offset
                throw unexpected("expected the literal '\(word)'")
            }
        }
        index += count
        return value
    }

    // MARK: - Numbers

    private mutating func readNumber() throws(JSONParseError) -> JSONNumber {
        let start = index
        if bytes[index] == UInt8(ascii: "-") {
            index += 1
        }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw fail(.invalidNumber, "a number needs a digit after '-'")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw fail(.invalidNumber, "a number may not have leading zeros")
            }
        } else {
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw fail(.invalidNumber, "a number needs a digit after '.'")
            }
            skipDigits()
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw fail(.invalidNumber, "a number needs a digit in its exponent")
            }
            skipDigits()
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        return JSONNumber(text: text)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) {
            index += 1
        }
    }

    // MARK: - Strings

    /// Reads a string starting at its opening quote.
    ///
    /// The fast path copies a run with no escapes
    /// and no non-ASCII bytes straight into a `String`.
    private mutating func readString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Eight bytes at a time while none of them is '"', '\\', a control or a non-ASCII byte.
        while index + 8 <= bytes.count,
            !Self.needsAttention(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        {
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte >= 0x80 || byte < 0x20 {
                break
            }
            index += 1
        }
        return try readStringSlow(from: start)
    }

    private mutating func readStringSlow(from start: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try readEscape()
            case 0..<0x20:
                throw fail(.controlCharacter, "control characters must be escaped inside strings")
            case 0x80...:
                try copyUTF8Sequence()
            default:
                scratch.append(byte)
                index += 1
            }
        }
        throw fail(.unexpectedEnd, "the document ended inside a string")
    }

    private mutating func readEscape() throws(JSONParseError) {
        index += 1
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, "the document ended inside an escape")
        }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(byte)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"): try readUnicodeEscape()
        default:
            index -= 2
            throw fail(.invalidEscape, "unknown escape; valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    private mutating func readUnicodeEscape() throws(JSONParseError) {
        let escapeStart = index - 2
        var scalar = try readHex4()
        if scalar >= 0xD800, scalar < 0xDC00 {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else {
                index = escapeStart
                throw fail(.invalidEscape, "a high surrogate escape must be followed by a low surrogate escape")
            }
            index += 2
            let low = try readHex4()
            guard low >= 0xDC00, low < 0xE000 else {
                index = escapeStart
                throw fail(.invalidEscape, "a high surrogate escape must be followed by a low surrogate escape")
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00, scalar < 0xE000 {
            index = escapeStart
            throw fail(.invalidEscape, "an unpaired low surrogate escape is not a character")
        }
        guard let unicode = Unicode.Scalar(scalar) else {
            index = escapeStart
            throw fail(.invalidEscape, "escape does not name a Unicode scalar")
        }
        scratch.append(contentsOf: Character(unicode).utf8)
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else {
            throw fail(.unexpectedEnd, "the document ended inside a \\u escape")
        }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail(.invalidEscape, "a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most
    /// U+10FFFF) and copies it to the scratch buffer.
    private mutating func copyUTF8Sequence() throws(JSONParseError) {
        let lead = bytes[index]
        let length: Int
        var lowerBound: UInt8 = 0x80
        var upperBound: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowerBound = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upperBound = 0x9F
        case 0xF0: length = 4; lowerBound = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upperBound = 0x8F
        default: throw fail(.invalidUTF8, "invalid UTF-8 lead byte")
        }
        guard index + length <= bytes.count else {
            throw fail(.invalidUTF8, "truncated UTF-8 sequence")
        }
        let second = bytes[index + 1]
        guard second >= lowerBound, second <= upperBound else {
            throw fail(.invalidUTF8, "invalid UTF-8 continuation byte (overlong, surrogate or out of range)")
        }
        for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 {
            index += offset
            throw fail(.invalidUTF8, "invalid UTF-8 continuation byte")
        }
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]))
        index += length
    }

    // MARK: - Helpers

    /// Whether any byte of `word` is '"', '\\', below 0x20 or at least 0x80 (SWAR: a zero byte
    /// after XOR shows equality; subtracting 0x20 borrows into the high bit for bytes below 0x20).
    @inline(__always)
    private static func needsAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote & highs
        let hasBackslash = (backslash &- ones) & ~backslash & highs
        let hasControl = (word &- ones &* 0x20) & ~word & highs
        return (hasQuote | hasBackslash | hasControl | (word & highs)) != 0
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ message: String) throws(JSONParseError) {
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, message + " but the document ended")
        }
        guard bytes[index] == byte else {
            throw unexpected(message)
        }
        index += 1
    }

    private func unexpected(_ message: String) -> JSONParseError {
        if bytes[index] >= 0x80 {
            return fail(.invalidUTF8, "non-ASCII byte outside a string; " + message)
        }
        return fail(.unexpectedByte, message)
    }

    private func fail(_ code: JSONParseError.Code, _ message: String) -> JSONParseError {
        JSONParseError(code: code, offset: index, message: message)
    }
}
