// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// One native record cut out of a body.
public struct SourceRecord: Sendable {
    /// What the record holds.
    public enum Content: Sendable {
        /// A JSON record; `raw` is its exact text when the record was a whole line or body, or an
        /// element of a wrapper written canonically; `nil` when it must be stored re-encoded.
        case json(JSONValue, raw: [UInt8]?)
        /// A text line (UTF-8 validated, line ending removed).
        case text(String)
    }

    /// Where it was.
    public var position: RecordPosition
    /// The record.
    public var content: Content
}

/// Cuts a body into records: a single JSON record, a JSON array, a provider's wrapper
/// (`{"Records":[…]}`, `{"records":[…]}`, `{"Findings":[…]}`, `EventList.items`, an Okta event-hook
/// delivery), NDJSON
/// (each line may itself be any of these), or text lines.
public struct RecordSplitter: Sendable {
    /// Whether records are text lines.
    public var isText: Bool
    /// Limits for each JSON document (a whole body, or one NDJSON line).
    public var limits: JSONParser.Limits

    /// Creates a splitter.
    public init(isText: Bool, limits: JSONParser.Limits) {
        self.isText = isText
        self.limits = limits
    }

    /// The records of `body` and the lines that could not be read, in body order.
    public func split(_ body: [UInt8], firstLine: Int = 1) -> (records: [SourceRecord], rejected: [RejectedRecord]) {
        var records: [SourceRecord] = []
        var rejected: [RejectedRecord] = []
        if !isText, let document = wholeDocument(body) {
            append(document, source: trimmed(body[...]), line: nil, skipped: 0, to: &records)
            return (records, rejected)
        }
        var line = firstLine - 1
        var start = 0
        while start < body.count {
            line += 1
            let end = BodyLines.lineEnd(in: body, from: start)
            var content = body[start..<end]
            start = end + 1
            if content.last == UInt8(ascii: "\r") {
                content = content.dropLast()
            }
            if content.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                continue
            }
            let position = RecordPosition(index: records.count + rejected.count, line: line)
            if isText {
                guard let text = String(validating: content, as: UTF8.self) else {
                    let error = SourceError(offset: Self.firstInvalidUTF8(in: content), message: "invalid UTF-8")
                    rejected.append(.init(position: position, error: error))
                    continue
                }
                records.append(SourceRecord(position: position, content: .text(text)))
                continue
            }
            do {
                let value = try JSONParser(limits: limits).parse(content)
                append(value, source: content, line: line, skipped: rejected.count, to: &records)
            } catch {
                rejected.append(
                    .init(position: position, error: SourceError(offset: error.offset, message: error.message))
                )
            }
        }
        return (records, rejected)
    }

    /// The records of a body that is one JSON document holding several (an array or a provider's
    /// wrapper), or `nil` for anything else (a single record, NDJSON, text).
    public func wrappedRecords(_ body: [UInt8]) -> [JSONValue]? {
        guard !isText, let document = wholeDocument(body) else {
            return nil
        }
        return Self.unwrap(document)
    }

    /// The body as one JSON document, when it is one (a pretty-printed file or a single record).
    private func wholeDocument(_ body: [UInt8]) -> JSONValue? {
        guard let first = body.first(where: { !ByteScan.isSpace($0) }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else {
            return nil
        }
        return try? JSONParser(limits: limits).parse(body)
    }

    /// Appends `value` parsed from `source`: one record stored as its exact bytes, or a wrapper's
    /// records, each stored as its own bytes when they are canonical (else encoded again).
    private func append(
        _ value: JSONValue,
        source: ArraySlice<UInt8>,
        line: Int?,
        skipped: Int,
        to records: inout [SourceRecord]
    ) {
        guard let (elements, path) = Self.unwrapWithPath(value) else {
            let position = RecordPosition(index: records.count + skipped, line: line)
            records.append(SourceRecord(position: position, content: .json(value, raw: Array(source))))
            return
        }
        let spans = WrapperSpans.elements(of: source, at: path).flatMap { $0.count == elements.count ? $0 : nil }
        for (index, element) in elements.enumerated() {
            let position = RecordPosition(index: records.count + skipped, line: line)
            let raw = spans.flatMap { $0[index].isCanonical ? Array(source[$0[index].range]) : nil }
            records.append(SourceRecord(position: position, content: .json(element, raw: raw)))
        }
    }

    /// The records inside a wrapper, or `nil` when `value` is a record itself.
    static func unwrap(_ value: JSONValue) -> [JSONValue]? {
        unwrapWithPath(value)?.elements
    }

    /// The records of `value`: a wrapper's, with the member names leading to their array, or
    /// `value` itself (no path).
    static func records(of value: JSONValue) -> (elements: [JSONValue], path: [String]?) {
        guard let (elements, path) = unwrapWithPath(value) else {
            return ([value], nil)
        }
        return (elements, path)
    }

    /// The records inside a wrapper and the member names leading to their array.
    private static func unwrapWithPath(_ value: JSONValue) -> (elements: [JSONValue], path: [String])? {
        switch value {
        case .array(let elements):
            return (elements, [])
        case .object(let object):
            // CloudTrail log files and Azure exports; GuardDuty `get-findings` output.
            for key in ["Records", "records", "Findings"] {
                if case .array(let elements) = object[key] {
                    return (elements, [key])
                }
            }
            if object["kind"]?.stringValue == "EventList", case .array(let items) = object["items"] {
                return (items, ["items"])
            }
            if object["eventType"]?.stringValue == "com.okta.event_hook",
                case .array(let events) = object["data"]?["events"]
            {
                return (events, ["data", "events"])
            }
            return nil
        default:
            return nil
        }
    }

    private func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        Self.trimmed(bytes)
    }

    /// `bytes` without JSON whitespace around them.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var bytes = bytes
        while let first = bytes.first, ByteScan.isSpace(first) {
            bytes = bytes.dropFirst()
        }
        while let last = bytes.last, ByteScan.isSpace(last) {
            bytes = bytes.dropLast()
        }
        return bytes
    }

    /// The offset of the first byte of `bytes` that does not start a valid UTF-8 sequence.
    static func firstInvalidUTF8(in bytes: some Collection<UInt8>) -> Int {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) {
            offset += scalar.count
        }
        return offset
    }
}
