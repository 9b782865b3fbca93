// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

extension Alert {
    /// Reads an alert back from the `data` of its `tocsin.alert.raised` event.
    ///
    /// Members this version does not know are ignored, so alerts written by a newer Tocsin still read.
    ///
    /// - Parameter json: The event's `data` object.
    /// - Throws: ``AlertError`` with code ``AlertError/Code/invalidAlert`` naming the first member
    ///   that is missing or of the wrong shape.
    public init(json: JSONValue) throws(AlertError) {
        let reader = try MemberReader(json, code: .invalidAlert)
        let rule = try reader.text("rule")
        let title = try reader.string("title")
        let level = try reader.choice("level", Level.self, names: Level.names)
        let tags = try reader.strings("tags")
        let author = try reader.optionalString("author")
        let kind = try reader.choice("kind", Kind.self, names: Kind.names)
        let evidence = try reader.integers("evidence", minimum: 1)
        guard evidence.count <= Self.maximumEvidence else {
            throw reader.invalid("evidence", "must hold at most \(Self.maximumEvidence) sequence numbers")
        }
        let group = try Self.group(reader)
        // An absence counts the events of a silence: none.
        let count = try reader.integer("count", minimum: kind == .absence ? 0 : 1)
        let first = try reader.time("first_event_time")
        let last = try reader.time("last_event_time")
        guard first <= last else {
            throw reader.invalid("last_event_time", "must not be before first_event_time")
        }
        let trigger = try Self.trigger(reader)
        self.init(
            rule: rule,
            title: title,
            level: level,
            tags: tags,
            author: author,
            kind: kind,
            evidence: evidence,
            group: group,
            count: Int(count),
            firstEventMilliseconds: first,
            lastEventMilliseconds: last,
            isStaged: try reader.optionalBool("staged") ?? false,
            incidentKey: try reader.optionalString("incident_key"),
            identity: try reader.text("identity")
        )
        self.trigger = trigger
    }

    private static func trigger(_ reader: MemberReader) throws(AlertError) -> JSONValue? {
        switch reader["trigger"] {
        case nil, .null?:
            return nil
        case .object(let object)?:
            return .object(object)
        default:
            throw reader.invalid("trigger", "must be an object (the event that crossed the threshold) or null")
        }
    }

    private static func group(_ reader: MemberReader) throws(AlertError) -> [GroupValue] {
        guard let value = reader["group"], value != .null else {
            return []
        }
        guard case .array(let items) = value else {
            throw reader.invalid("group", "must be an array of {\"field\": …, \"value\": …} objects")
        }
        var pairs: [GroupValue] = []
        for (index, item) in items.enumerated() {
            guard case .string(let field)? = item["field"], !field.isEmpty, let value = item["value"] else {
                throw reader.invalid("group[\(index)]", "must be an object with a non-empty string field and a value")
            }
            pairs.append(GroupValue(field: field, value: value))
        }
        return pairs
    }
}

/// Reads the members of an event's `data` object, naming the member at fault in each error.
struct MemberReader {
    private let object: JSONObject
    let code: AlertError.Code

    init(_ value: JSONValue, code: AlertError.Code) throws(AlertError) {
        guard case .object(let object) = value else {
            throw AlertError(code: code, path: "$.data", message: "must be a JSON object")
        }
        self.object = object
        self.code = code
    }

    subscript(name: String) -> JSONValue? {
        object[name]
    }

    func invalid(_ member: String, _ message: String) -> AlertError {
        AlertError(code: code, path: "$.data.\(member)", message: message)
    }

    func string(_ name: String) throws(AlertError) -> String {
        guard case .string(let text)? = self[name] else {
            throw invalid(name, "is required: a string")
        }
        return text
    }

    /// A required string that is not empty.
    func text(_ name: String) throws(AlertError) -> String {
        let text = try string(name)
        guard !text.isEmpty else {
            throw invalid(name, "must not be empty")
        }
        return text
    }

    func optionalString(_ name: String) throws(AlertError) -> String? {
        switch self[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw invalid(name, "must be a string or null")
        }
    }

    func optionalBool(_ name: String) throws(AlertError) -> Bool? {
        switch self[name] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw invalid(name, "must be true or false")
        }
    }

    func integer(_ name: String, minimum: Int64) throws(AlertError) -> Int64 {
        guard case .number(let number)? = self[name], let value = number.int64Value, value >= minimum else {
            throw invalid(name, "is required: an integer of at least \(minimum)")
        }
        return value
    }

    func integers(_ name: String, minimum: Int64) throws(AlertError) -> [Int64] {
        guard case .array(let items)? = self[name] else {
            throw invalid(name, "is required: an array of integers")
        }
        var values: [Int64] = []
        values.reserveCapacity(items.count)
        for item in items {
            guard case .number(let number) = item, let value = number.int64Value, value >= minimum else {
                throw invalid(name, "must hold integers of at least \(minimum) only")
            }
            values.append(value)
        }
        return values
    }

    func strings(_ name: String) throws(AlertError) -> [String] {
        switch self[name] {
        case nil, .null?:
            return []
        case .array(let items)?:
            var values: [String] = []
            for item in items {
                guard case .string(let text) = item else {
                    throw invalid(name, "must be an array of strings")
                }
                values.append(text)
            }
            return values
        default:
            throw invalid(name, "must be an array of strings")
        }
    }

    func time(_ name: String) throws(AlertError) -> Int64 {
        guard case .string(let text)? = self[name], let time = Timestamp(rfc3339: text) else {
            throw invalid(name, "is required: an RFC 3339 timestamp")
        }
        return time.epochMilliseconds
    }

    func choice<T: RawRepresentable<String>>(
        _ name: String,
        _ type: T.Type,
        names: String
    ) throws(AlertError) -> T {
        guard case .string(let text)? = self[name], let value = T(rawValue: text) else {
            throw invalid(name, "is required: one of \(names)")
        }
        return value
    }
}
