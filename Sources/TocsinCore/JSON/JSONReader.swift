// SPDX-License-Identifier: Apache-2.0

/// The byte-level recursive-descent reader behind ``JSONParser``.
///
/// Recursion depth is bounded by `maxDepth`, so the native stack use is bounded too.
struct JSONReader {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    let allowsDuplicateMembers: Bool
    /// Whether the document is known to be valid JSON: a projection then steps over what it drops
    /// without validating it (``skipValidatedValue()``).
    var isValidated = false
    var index = 0
    var depth = 0
    var scratch: [UInt8] = []
    let knownNames = JSONNameTable.wellKnown
    /// The member names of the objects being skipped or projected (see ``JSONNameLog``).
    var nameLog = JSONNameLog()

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

    mutating func readValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, Self.valueExpected + " but the document ended")
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
            throw unexpected(Self.valueExpected + " (object, array, string, number, true, false or null)")
        }
    }

    static let valueExpected = "expected a value"
    static let nameExpected = "expected a member name"
    static let colonExpected = "expected ':' after a member name"
    static let objectContinues = "expected ',' or '}'"
    static let arrayContinues = "expected ',' or ']'"
    static let duplicateMessage = "duplicate member name in object; each name may appear once"

    mutating func enter() throws(JSONParseError) {
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
        // A record's outermost object is usually wide (CloudTrail about 20 members, Kubernetes
        // audit about 15); starting it at 24 saves two regrowths and stays under 1 KiB, above
        // which glibc's malloc first consolidates its free lists.
        members.reserveCapacity(depth == 1 ? 24 : 8)
        var names = JSONMemberNames()
        while true {
            try expectMemberName()
            let nameOffset = index
            let (name, hash) = try readName()
            if !allowsDuplicateMembers, !names.insert(name, hash: hash, members: members) {
                throw JSONParseError(
                    code: .duplicateMember,
                    offset: nameOffset,
                    message: Self.duplicateMessage
                )
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), Self.colonExpected)
            skipWhitespace()
            let value = try readValue()
            members.append(JSONObject.Member(name: name, value: value))
            if try readSeparator(closing: UInt8(ascii: "}")) {
                break
            }
        }
        depth -= 1
        return .object(JSONObject(members))
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
            if try readSeparator(closing: UInt8(ascii: "]")) {
                break
            }
        }
        depth -= 1
        return .array(elements)
    }

    mutating func readLiteral(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
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
        try skipNumber()
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        return JSONNumber(text: text)
    }

    /// Validates the number starting at `index` and steps over it.
    mutating func skipNumber() throws(JSONParseError) {
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
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) {
            index += 1
        }
    }

    // MARK: - Helpers

    /// Skips whitespace up to the opening quote of a member name.
    @inline(__always)
    mutating func expectMemberName() throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, Self.nameExpected + " but the document ended")
        }
        guard bytes[index] == UInt8(ascii: "\"") else {
            throw unexpected(Self.nameExpected + " in double quotes")
        }
    }

    /// Reads what follows an object member (`closing` is `}`) or an array element (`]`).
    ///
    /// - Returns: `true` after the closing byte, `false` after a comma.
    @inline(__always)
    mutating func readSeparator(closing: UInt8) throws(JSONParseError) -> Bool {
        let expected = closing == UInt8(ascii: "}") ? Self.objectContinues : Self.arrayContinues
        skipWhitespace()
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, expected + " but the document ended")
        }
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: ",") {
            return false
        }
        if byte == closing {
            return true
        }
        index -= 1
        throw unexpected(
            expected + (closing == UInt8(ascii: "}") ? " after an object member" : " after an array element")
        )
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8, _ message: String) throws(JSONParseError) {
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, message + " but the document ended")
        }
        guard bytes[index] == byte else {
            throw unexpected(message)
        }
        index += 1
    }

    func unexpected(_ message: String) -> JSONParseError {
        if bytes[index] >= 0x80 {
            return fail(.invalidUTF8, "non-ASCII byte outside a string; " + message)
        }
        return fail(.unexpectedByte, message)
    }

    func fail(_ code: JSONParseError.Code, _ message: String) -> JSONParseError {
        JSONParseError(code: code, offset: index, message: message)
    }
}
