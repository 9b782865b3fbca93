// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

extension ProofBundle {
    /// The most bytes ``init(bytes:)`` reads (a bundle of 1000 evidence records with their runs is
    /// far smaller).
    public static let maximumBytes = 512 * 1024 * 1024

    /// The bundle's file bytes: compact JSON with members in a fixed order, lower-case hex, and one
    /// final newline (`docs/bundles.md`).
    ///
    /// The same bundle always gives the same bytes, and ``init(bytes:)`` accepts only those bytes.
    public var bytes: [UInt8] {
        var output = JSONWriter().bytes(json)
        output.append(UInt8(ascii: "\n"))
        return output
    }

    /// The bundle as a JSON document.
    public var json: JSONValue {
        let number = { (value: Int64) in JSONValue.number(JSONNumber(value)) }
        let hex = { (bytes: [UInt8]) in JSONValue.string(Hex.encode(bytes)) }
        let ruleJSON: JSONValue =
            rule.map { rule in
                .object(
                    JSONObject([
                        .init(name: "name", value: .string(rule.name)),
                        .init(name: "seq", value: rule.sequence.map(number) ?? .null),
                        .init(name: "text", value: rule.text.map(JSONValue.string) ?? .null),
                        .init(name: "sha256", value: rule.sha256.map(hex) ?? .null),
                    ])
                )
            } ?? .null
        let segmentsJSON = segments.map { segment in
            let entries = segment.entries.enumerated().map { offset, entry -> JSONValue in
                switch entry {
                case .digest(let digest):
                    return hex(digest)
                case .record(let hash, let canonical):
                    return .object(
                        JSONObject([
                            .init(name: "seq", value: number(segment.start + Int64(offset))),
                            .init(name: "hash", value: hex(hash)),
                            .init(name: "record", value: hex(canonical)),
                        ])
                    )
                }
            }
            return JSONValue.object(
                JSONObject([
                    .init(name: "start", value: number(segment.start)),
                    .init(name: "previous", value: hex(segment.previous)),
                    .init(name: "entries", value: .array(entries)),
                    .init(
                        name: "checkpoint",
                        value: .object(
                            JSONObject([
                                .init(name: "seq", value: number(segment.checkpoint.sequence)),
                                .init(name: "hash", value: hex(segment.checkpoint.hash)),
                                .init(name: "signature", value: hex(segment.checkpoint.signature)),
                            ])
                        )
                    ),
                ])
            )
        }
        return .object(
            JSONObject([
                .init(name: "format", value: .string(Self.format)),
                .init(name: "kind", value: .string(kind.rawValue)),
                .init(name: "subject", value: number(subject)),
                .init(name: "evidence", value: .array(evidence.map(number))),
                .init(name: "rule", value: ruleJSON),
                .init(name: "actions", value: .array(actions.map(number))),
                .init(name: "segments", value: .array(segmentsJSON)),
            ])
        )
    }

    /// Reads a bundle file, accepting only the canonical bytes of the bundle it describes.
    ///
    /// - Throws: ``BundleError`` with code ``BundleError/Code/unsupported`` for another format, or
    ///   ``BundleError/Code/malformed`` naming the JSON path (or the byte offset, for a file that is
    ///   valid but not in canonical form).
    public init(bytes: [UInt8]) throws(BundleError) {
        guard bytes.count <= Self.maximumBytes else {
            throw BundleError(code: .malformed, message: "the file is larger than \(Self.maximumBytes) bytes")
        }
        guard bytes.last == UInt8(ascii: "\n") else {
            throw BundleError(code: .malformed, message: "the file does not end with its single newline")
        }
        let value: JSONValue
        do {
            value = try JSONParser(limits: .init(maxDepth: 16, maxBytes: Self.maximumBytes)).parse(bytes.dropLast())
        } catch {
            throw BundleError(code: .malformed, message: "the file is not valid JSON: \(error)")
        }
        let reader = BundleReader()
        let format = try reader.string(value["format"], "$.format")
        guard format == Self.format else {
            throw BundleError(
                code: .unsupported,
                message: "$.format is not \(Self.format); this build reads only that version"
            )
        }
        try self.init(json: value, reader: reader)
        let canonical = self.bytes
        guard canonical == bytes else {
            let offset =
                (0..<min(canonical.count, bytes.count)).first { canonical[$0] != bytes[$0] }
                ?? min(canonical.count, bytes.count)
            throw BundleError(
                code: .malformed,
                message: "the file is not in canonical form: byte \(offset) differs from the bundle it describes"
            )
        }
    }

    private init(json value: JSONValue, reader: BundleReader) throws(BundleError) {
        let kindText = try reader.string(value["kind"], "$.kind")
        guard let kind = Kind(rawValue: kindText) else {
            throw BundleError(code: .malformed, message: "$.kind must be alert or event")
        }
        self.kind = kind
        self.subject = try reader.integer(value["subject"], "$.subject")
        self.evidence = try reader.integers(value["evidence"], "$.evidence")
        self.actions = try reader.integers(value["actions"], "$.actions")
        switch value["rule"] {
        case .null?:
            self.rule = nil
        case let rule?:
            self.rule = Rule(
                name: try reader.string(rule["name"], "$.rule.name"),
                sequence: try reader.optional(rule["seq"], "$.rule.seq") { v, p throws(BundleError) in
                    try reader.integer(v, p)
                },
                text: try reader.optional(rule["text"], "$.rule.text") { v, p throws(BundleError) in
                    try reader.string(v, p)
                },
                sha256: try reader.optional(rule["sha256"], "$.rule.sha256") { v, p throws(BundleError) in
                    try reader.hex(v, p, count: 32)
                }
            )
        case nil:
            throw BundleError(code: .malformed, message: "$.rule is missing")
        }
        guard case .array(let segmentValues)? = value["segments"] else {
            throw BundleError(code: .malformed, message: "$.segments must be an array")
        }
        var segments: [Segment] = []
        for (index, segment) in segmentValues.enumerated() {
            segments.append(try reader.segment(segment, "$.segments[\(index)]"))
        }
        self.segments = segments
    }
}

/// Typed reads of a bundle's JSON members, each failure naming its JSON path.
private struct BundleReader {
    func string(_ value: JSONValue?, _ path: String) throws(BundleError) -> String {
        guard case .string(let text)? = value else {
            throw BundleError(code: .malformed, message: "\(path) must be a string")
        }
        return text
    }

    func integer(_ value: JSONValue?, _ path: String) throws(BundleError) -> Int64 {
        guard case .number(let number)? = value, let integer = number.int64Value, integer > 0 else {
            throw BundleError(code: .malformed, message: "\(path) must be a positive integer")
        }
        return integer
    }

    func integers(_ value: JSONValue?, _ path: String) throws(BundleError) -> [Int64] {
        guard case .array(let elements)? = value else {
            throw BundleError(code: .malformed, message: "\(path) must be an array")
        }
        var integers: [Int64] = []
        for (index, element) in elements.enumerated() {
            integers.append(try integer(element, "\(path)[\(index)]"))
        }
        return integers
    }

    func hex(_ value: JSONValue?, _ path: String, count: Int? = nil) throws(BundleError) -> [UInt8] {
        guard let bytes = Hex.decode(try string(value, path)), count.map({ bytes.count == $0 }) ?? true else {
            throw BundleError(
                code: .malformed,
                message: "\(path) must be \(count.map { "\($0) bytes of " } ?? "")lower-case hex"
            )
        }
        return bytes
    }

    func optional<T>(
        _ value: JSONValue?,
        _ path: String,
        _ read: (JSONValue?, String) throws(BundleError) -> T
    ) throws(BundleError) -> T? {
        switch value {
        case .null?: return nil
        case nil: throw BundleError(code: .malformed, message: "\(path) is missing")
        default: return try read(value, path)
        }
    }

    func segment(_ value: JSONValue, _ path: String) throws(BundleError) -> ProofBundle.Segment {
        let start = try integer(value["start"], "\(path).start")
        let previous = try hex(value["previous"], "\(path).previous", count: 32)
        guard case .array(let entryValues)? = value["entries"], !entryValues.isEmpty else {
            throw BundleError(code: .malformed, message: "\(path).entries must be a non-empty array")
        }
        var entries: [ProofBundle.Entry] = []
        entries.reserveCapacity(entryValues.count)
        for (offset, entry) in entryValues.enumerated() {
            let entryPath = "\(path).entries[\(offset)]"
            if case .string = entry {
                entries.append(.digest(try hex(entry, entryPath, count: 32)))
                continue
            }
            let sequence = try integer(entry["seq"], "\(entryPath).seq")
            guard sequence == start + Int64(offset) else {
                throw BundleError(
                    code: .malformed,
                    message: "\(entryPath).seq is \(sequence) but the entry stands at \(start + Int64(offset))"
                )
            }
            entries.append(
                .record(
                    hash: try hex(entry["hash"], "\(entryPath).hash", count: 32),
                    canonical: try hex(entry["record"], "\(entryPath).record")
                )
            )
        }
        let checkpoint = value["checkpoint"]
        return ProofBundle.Segment(
            start: start,
            previous: previous,
            entries: entries,
            checkpoint: ProofBundle.Checkpoint(
                sequence: try integer(checkpoint?["seq"], "\(path).checkpoint.seq"),
                hash: try hex(checkpoint?["hash"], "\(path).checkpoint.hash", count: 32),
                signature: try hex(checkpoint?["signature"], "\(path).checkpoint.signature", count: 64)
            )
        )
    }
}
