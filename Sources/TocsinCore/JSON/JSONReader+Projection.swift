// SPDX-License-Identifier: Apache-2.0

/// Reading with a ``JSONProjection``: the values the projection names are built as ``readValue()``
/// builds them; every other value is read with the same checks, in the same order, and dropped.
///
/// A `node` of `nil` means "skip": validate, build nothing. Errors (codes, offsets, messages) are
/// those of the full read, because every step below mirrors one of ``readObject()``,
/// ``readArray()``, ``readString()``, ``readNumber()`` and ``readLiteral(_:_:)``.
extension JSONReader {
    mutating func readDocument(keeping projection: JSONProjection) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try readValue(at: 0, projection)
        skipWhitespace()
        if index < bytes.count {
            throw fail(.trailingContent, "unexpected content after the top-level value")
        }
        return value ?? .null
    }

    /// Reads the value at `index`, built as far as `node` asks (`nil`: validated and dropped).
    private mutating func readValue(at node: Int?, _ projection: JSONProjection) throws(JSONParseError) -> JSONValue? {
        guard let node else {
            if isValidated {
                skipValidatedValue()
            } else {
                try skipValue(projection)
            }
            return nil
        }
        if projection.keepsAll(node) {
            return try readValue()
        }
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, Self.valueExpected + " but the document ended")
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try readObject(at: node, projection)
        case UInt8(ascii: "["): return try readArray(at: node, projection)
        default: return try readValue()
        }
    }

    /// Validates the value at `index` and steps over it.
    private mutating func skipValue(_ projection: JSONProjection) throws(JSONParseError) {
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, Self.valueExpected + " but the document ended")
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): _ = try readObject(at: nil, projection)
        case UInt8(ascii: "["): _ = try readArray(at: nil, projection)
        case UInt8(ascii: "\""): _ = try readStringBytes()
        case UInt8(ascii: "t"): _ = try readLiteral("true", .null)
        case UInt8(ascii: "f"): _ = try readLiteral("false", .null)
        case UInt8(ascii: "n"): _ = try readLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default:
            throw unexpected(Self.valueExpected + " (object, array, string, number, true, false or null)")
        }
    }

    /// An object with the members `node` names (all of them dropped when `node` is `nil`).
    private mutating func readObject(at node: Int?, _ projection: JSONProjection) throws(JSONParseError) -> JSONValue? {
        try enter()
        index += 1
        var members: [JSONObject.Member] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return node == nil ? nil : .object(JSONObject(members))
        }
        if node != nil {
            members.reserveCapacity(8)
        }
        var frame = nameLog.open()
        while true {
            try expectMemberName()
            let nameOffset = index
            let member: (child: Int?, name: String?, isNew: Bool)
            if let range = try readStringBytes() {
                member = readMember(
                    UnsafeRawBufferPointer(rebasing: bytes[range]),
                    offset: range.lowerBound,
                    node: node,
                    projection,
                    frame: &frame
                )
            } else {
                let decoded = scratch
                member = decoded.withUnsafeBytes { name in
                    readMember(name, offset: nil, node: node, projection, frame: &frame)
                }
            }
            if !member.isNew {
                throw JSONParseError(code: .duplicateMember, offset: nameOffset, message: Self.duplicateMessage)
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), Self.colonExpected)
            skipWhitespace()
            if let value = try readValue(at: member.child, projection), let name = member.name {
                members.append(JSONObject.Member(name: name, value: value))
            }
            if try readSeparator(closing: UInt8(ascii: "}")) {
                break
            }
        }
        nameLog.close(frame)
        depth -= 1
        return node == nil ? nil : .object(JSONObject(members))
    }

    /// Checks a member name for repeats and finds where the projection goes with it; builds the
    /// name's `String` only for a member that is kept.
    private mutating func readMember(
        _ name: UnsafeRawBufferPointer,
        offset: Int?,
        node: Int?,
        _ projection: JSONProjection,
        frame: inout JSONNameLog.Frame
    ) -> (child: Int?, name: String?, isNew: Bool) {
        let canReadPast = offset.map { $0 + 8 <= bytes.count } ?? false
        let key = JSONNameTable.Key(name, canReadPast: canReadPast)
        if !allowsDuplicateMembers,
            !nameLog.insert(name, hash: key.hash, offset: offset, frame: &frame, document: bytes)
        {
            return (nil, nil, false)
        }
        guard let node, let child = projection.child(of: node, name: name, key: key) else {
            return (nil, nil, true)
        }
        return (child, knownNames.name(spelledBy: name, key: key) ?? String(decoding: name, as: UTF8.self), true)
    }

    /// An array whose elements are read at `node` (all dropped when `node` is `nil`).
    private mutating func readArray(at node: Int?, _ projection: JSONProjection) throws(JSONParseError) -> JSONValue? {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return node == nil ? nil : .array(elements)
        }
        while true {
            skipWhitespace()
            if let element = try readValue(at: node, projection) {
                elements.append(element)
            }
            if try readSeparator(closing: UInt8(ascii: "]")) {
                break
            }
        }
        depth -= 1
        return node == nil ? nil : .array(elements)
    }
}
