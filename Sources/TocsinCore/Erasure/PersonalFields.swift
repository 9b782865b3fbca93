// SPDX-License-Identifier: Apache-2.0

public import Crypto

/// A data subject's key as the sealing step sees it.
public struct SubjectKey: Sendable {
    /// The key id: a keyed hash of the subject, never the subject itself.
    public var keyID: String
    /// The 256-bit key, or `nil` when the subject was erased (its fields are then stored as
    /// ``FieldEnvelope/erasedMarker``).
    public var key: SymmetricKey?

    /// Creates a subject key.
    public init(keyID: String, key: SymmetricKey?) {
        self.keyID = keyID
        self.key = key
    }
}

/// Replaces the personal fields of log entries with ``FieldEnvelope``s, and envelopes with their
/// values again on reads.
///
/// Pure: keys and nonces come from the caller.
public struct PersonalFields: Sendable {
    /// Which fields are personal.
    public var policy: PersonalDataPolicy

    /// Creates the step for `policy`.
    public init(policy: PersonalDataPolicy) {
        self.policy = policy
    }

    /// `entry` with every personal field the policy names sealed under its subject's key.
    ///
    /// A field already holding an envelope is left alone. When an event has personal fields but
    /// no subject at the subject path, those fields are stored as ``FieldEnvelope/erasedMarker``:
    /// a value that cannot be keyed to a subject is never stored in clear.
    ///
    /// - Parameters:
    ///   - entry: The entry about to be appended.
    ///   - key: The subject's key (created on first use by the caller).
    ///   - nonce: A fresh random nonce per call.
    /// - Returns: The entry to append.
    /// - Throws: What `key` throws.
    public func seal(
        _ entry: LogEntry,
        key: (String) throws -> SubjectKey,
        nonce: () -> AES.GCM.Nonce
    ) throws -> LogEntry {
        let rules = policy.rules(for: entry.event)
        guard !rules.isEmpty else {
            return entry
        }
        var parts = SealableParts(entry)
        for rule in rules {
            let paths = rule.sealedPaths
            guard let subject = parts.value(at: rule.subject).flatMap(Self.subjectText),
                subject != FieldEnvelope.erasedMarker
            else {
                for path in paths {
                    parts.update(at: path) { Self.isSealed($0) ? $0 : .string(FieldEnvelope.erasedMarker) }
                }
                continue
            }
            guard !subject.hasPrefix(FieldEnvelope.prefix) else {
                continue
            }
            let subjectKey = try key(subject)
            for path in paths {
                try parts.update(at: path) { value in
                    guard !Self.isSealed(value) else {
                        return value
                    }
                    guard let secret = subjectKey.key else {
                        return .string(FieldEnvelope.erasedMarker)
                    }
                    let envelope = try FieldEnvelope.seal(value, keyID: subjectKey.keyID, key: secret, nonce: nonce())
                    return .string(envelope.text)
                }
            }
        }
        return parts.applied(to: entry)
    }

    /// `event` with every envelope replaced by its value, or by ``FieldEnvelope/erasedMarker``
    /// when `key` has no key for its key id (erased) or the key does not open it.
    ///
    /// Needs no policy: it opens whatever envelopes the stored record holds.
    public static func open(_ event: LoggedEvent, key: (String) throws -> SymmetricKey?) throws -> LoggedEvent {
        let entry = LogEntry(event: event.event, ocsf: event.ocsf, enrichment: event.enrichment)
        guard mayHoldEnvelopes(entry) else {
            return event
        }
        var parts = SealableParts(entry)
        try parts.replaceAll { try openAll($0, key: key) }
        let opened = parts.applied(to: entry)
        var result = event
        result.event = opened.event
        result.ocsf = opened.ocsf
        result.enrichment = opened.enrichment
        return result
    }

    /// Whether any part of `entry` may hold an envelope (a fast check on the stored bytes).
    static func mayHoldEnvelopes(_ entry: LogEntry) -> Bool {
        if entry.event.subject?.hasPrefix(FieldEnvelope.prefix) == true {
            return true
        }
        if [entry.ocsf, entry.enrichment].contains(where: { $0.map(holdsEnvelope) == true }) {
            return true
        }
        guard case .json(let bytes) = entry.event.data else {
            return false
        }
        return contains(bytes, Array(FieldEnvelope.prefix.utf8))
    }

    private static func holdsEnvelope(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.hasPrefix(FieldEnvelope.prefix)
        case .array(let elements): elements.contains(where: holdsEnvelope)
        case .object(let object): object.members.contains { holdsEnvelope($0.value) }
        case .null, .bool, .number: false
        }
    }

    private static func openAll(_ value: JSONValue, key: (String) throws -> SymmetricKey?) throws -> JSONValue {
        switch value {
        case .string(let text):
            guard text.hasPrefix(FieldEnvelope.prefix) else {
                return value
            }
            guard let envelope = FieldEnvelope(parsing: text), let secret = try key(envelope.keyID),
                let plain = envelope.open(key: secret)
            else {
                return .string(FieldEnvelope.erasedMarker)
            }
            return plain
        case .array(let elements):
            return .array(try elements.map { try openAll($0, key: key) })
        case .object(var object):
            for index in object.members.indices {
                object.members[index].value = try openAll(object.members[index].value, key: key)
            }
            return .object(object)
        case .null, .bool, .number:
            return value
        }
    }

    private static func subjectText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text.isEmpty ? nil : text
        case .number(let number): number.text
        default: nil
        }
    }

    private static func isSealed(_ value: JSONValue) -> Bool {
        guard case .string(let text) = value else {
            return false
        }
        return text.hasPrefix(FieldEnvelope.prefix) || text == FieldEnvelope.erasedMarker
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else {
            return false
        }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) {
                return true
            }
            index += 1
        }
        return false
    }
}

/// The parts of an entry personal-data paths address, as one JSON object
/// (`data`, `subject`, `ocsf`, `enrichment`).
struct SealableParts {
    private(set) var document: JSONObject
    /// The names of the parts a transform changed.
    private var changed: Set<String> = []

    init(_ entry: LogEntry) {
        var members: [JSONObject.Member] = []
        if case .json(let bytes) = entry.event.data, let data = try? JSONParser().parse(bytes) {
            members.append(.init(name: "data", value: data))
        }
        if let subject = entry.event.subject {
            members.append(.init(name: "subject", value: .string(subject)))
        }
        if let ocsf = entry.ocsf {
            members.append(.init(name: "ocsf", value: ocsf))
        }
        if let enrichment = entry.enrichment {
            members.append(.init(name: "enrichment", value: enrichment))
        }
        document = JSONObject(members)
    }

    func value(at path: JSONPath) -> JSONValue? {
        path.evaluate(.object(document))
    }

    mutating func update(at path: JSONPath, _ transform: (JSONValue) throws -> JSONValue) rethrows {
        guard case .member(let part)? = path.steps.first,
            let index = document.members.firstIndex(where: { $0.name == part })
        else {
            return
        }
        let before = document.members[index].value
        try Self.update(&document.members[index].value, steps: path.steps.dropFirst(), transform)
        if document.members[index].value != before {
            changed.insert(part)
        }
    }

    /// Applies `transform` to every part.
    mutating func replaceAll(_ transform: (JSONValue) throws -> JSONValue) rethrows {
        for index in document.members.indices {
            let after = try transform(document.members[index].value)
            if after != document.members[index].value {
                document.members[index].value = after
                changed.insert(document.members[index].name)
            }
        }
    }

    /// `entry` with the parts a transform changed replaced (`data` is re-written only then).
    func applied(to entry: LogEntry) -> LogEntry {
        var result = entry
        if changed.contains("data"), let data = document["data"] {
            result.event.data = .json(JSONWriter().bytes(data))
        }
        if changed.contains("subject") {
            result.event.subject = document["subject"]?.stringValue ?? FieldEnvelope.erasedMarker
        }
        if changed.contains("ocsf") {
            result.ocsf = document["ocsf"]
        }
        if changed.contains("enrichment") {
            result.enrichment = document["enrichment"]
        }
        return result
    }

    private static func update(
        _ value: inout JSONValue,
        steps: ArraySlice<JSONPath.Step>,
        _ transform: (JSONValue) throws -> JSONValue
    ) rethrows {
        guard let step = steps.first else {
            value = try transform(value)
            return
        }
        switch (step, value) {
        case (.member(let name), .object(var object)):
            guard let index = object.members.firstIndex(where: { $0.name == name }) else {
                return
            }
            value = .null
            try update(&object.members[index].value, steps: steps.dropFirst(), transform)
            value = .object(object)
        case (.index(let index), .array(var elements)) where index < elements.count:
            value = .null
            try update(&elements[index], steps: steps.dropFirst(), transform)
            value = .array(elements)
        default:
            return
        }
    }
}
