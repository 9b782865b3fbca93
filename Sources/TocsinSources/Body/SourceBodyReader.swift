// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Entries ready to append, in body order, with where each came from.
public struct SourceChunk: Sendable {
    /// The entries.
    public var entries: [LogEntry] = []
    /// The position of each entry (same order as ``entries``).
    public var positions: [RecordPosition] = []
    /// About how many bytes the entries' data holds.
    public var dataBytes = 0
}

/// Reads a body of native records a chunk at a time, so that what is held at once is bounded by
/// the chunk, not by the body.
///
/// Creating the reader checks the body as a whole before anything is stored: a gzip body is
/// inflated once to measure it (never held decompressed beyond one JSON document), and its records
/// are counted. Then ``next(maxRecords:maxDataBytes:)`` inflates, cuts and normalises the next
/// records. Refused records are counted, and the first
/// ``SourceDecoder/Limits/maxListedRejections`` are kept with their position.
public struct SourceBodyReader {
    private let decoder: SourceDecoder
    private var source: Source
    private var flowFields = VPCFlowFields.default
    private var pending: Pending?
    private var nextIndex = 0

    /// How many records were refused so far.
    public private(set) var rejectedCount = 0
    /// The first refused records, in body order (at most ``SourceDecoder/Limits/maxListedRejections``).
    public private(set) var rejected: [RejectedRecord] = []
    /// How many records the body holds (for line bodies, its non-blank lines).
    public let recordCount: Int

    private enum Source {
        case lines(BodyLines)
        case finished
    }

    /// The records of one JSON document (a wrapper's, or a single record) not yet read.
    private struct Pending {
        var elements: [JSONValue]
        var bytes: ArraySlice<UInt8>
        var spans: [WrapperSpans.Span]?
        var isWrapper: Bool
        var line: Int?
        var next = 0
    }

    /// Checks `body` against the decoder's limits and prepares to read it.
    ///
    /// - Throws: ``SourceBodyError`` when the body is not valid gzip, is too large decompressed,
    ///   holds too many records, or is one JSON document too large to read; nothing was read then.
    init(decoder: SourceDecoder, body: [UInt8], firstLine: Int) throws(SourceBodyError) {
        self.decoder = decoder
        let limits = decoder.limits
        let maxDocument = limits.json.maxBytes
        let isGzip = Gzip.isCompressed(body)
        var counter = LineCounter()
        var size = body.count
        var kept: [UInt8]? = body
        if isGzip {
            (size, kept) = try Self.survey(body, limits: limits, counter: &counter)
        } else {
            counter.feed(body)
            counter.finish()
        }
        let couldBeDocument =
            !decoder.format.isText && (counter.firstByte == UInt8(ascii: "{") || counter.firstByte == UInt8(ascii: "["))
        if couldBeDocument, let bytes = kept, bytes.count <= maxDocument,
            let document = try Self.wholeDocument(bytes, limits: limits)
        {
            let (elements, path) = RecordSplitter.records(of: document)
            guard elements.count <= limits.maxRecords else {
                throw Self.tooManyRecords(limits.maxRecords)
            }
            recordCount = elements.count
            source = .finished
            // An empty array or wrapper (`[]`, `{"Records": []}`) holds no record to read.
            guard !elements.isEmpty else {
                return
            }
            pending = Pending(
                elements: elements,
                bytes: RecordSplitter.trimmed(bytes[...]),
                spans: path.flatMap { WrapperSpans.elements(of: RecordSplitter.trimmed(bytes[...]), at: $0) }
                    .flatMap { $0.count == elements.count ? $0 : nil },
                isWrapper: path != nil
            )
            return
        }
        guard counter.lines <= limits.maxRecords else {
            throw Self.tooManyRecords(limits.maxRecords)
        }
        recordCount = counter.lines
        if let bytes = kept, !isGzip || bytes.count == size {
            source = .lines(BodyLines(bytes: bytes, firstLine: firstLine, maxBytes: maxDocument))
            return
        }
        let lines = BodyLines(inflating: try Self.inflater(body), firstLine: firstLine, maxBytes: maxDocument)
        if couldBeDocument {
            try Self.requireLineRecords(body, size: size, maxDocument: maxDocument, limits: limits)
        }
        source = .lines(lines)
    }

    /// The next records (at most `maxRecords`, read or refused, and about `maxDataBytes` of data),
    /// normalised; `nil` once the body is read.
    ///
    /// - Throws: ``SourceBodyError`` when inflating fails half-way (the body was checked whole,
    ///   so only a bug can cause it).
    public mutating func next(
        maxRecords: Int = 2000,
        maxDataBytes: Int = 8 * 1024 * 1024
    ) throws(SourceBodyError)
        -> SourceChunk?
    {
        var chunk = SourceChunk()
        var read = 0
        while read < maxRecords && chunk.dataBytes < maxDataBytes {
            if pending != nil {
                readPending(into: &chunk)
                read += 1
                continue
            }
            guard case .lines(var lines) = source else {
                break
            }
            source = .finished
            let line: BodyLines.Line?
            do {
                line = try lines.next()
            } catch {
                throw SourceBodyError(code: .invalidBody, message: error.description)
            }
            guard let line else {
                break
            }
            source = .lines(lines)
            read += 1
            readLine(line, into: &chunk)
        }
        return read == 0 && chunk.entries.isEmpty ? nil : chunk
    }

    // MARK: - Records

    private mutating func readLine(_ line: BodyLines.Line, into chunk: inout SourceChunk) {
        let decoder = decoder
        let position = RecordPosition(index: nextIndex, line: line.number)
        switch line {
        case .tooLong(let bytes, _):
            nextIndex += 1
            refuse(
                position,
                SourceError(
                    offset: 0,
                    message:
                        "the line is \(bytes) bytes; the limit is \(decoder.limits.json.maxBytes); split the record or send it alone"
                )
            )
        case .text(let bytes, let number):
            if decoder.format.isText && !(decoder.format == .vpcflow && bytes.first == UInt8(ascii: "{")) {
                nextIndex += 1
                add(position, into: &chunk) { (fields) throws(SourceError) in
                    try decoder.normalize(text: bytes, flowFields: &fields)
                }
                return
            }
            do {
                let value = try Self.parse(bytes, limits: decoder.limits)
                let (elements, path) = RecordSplitter.records(of: value)
                // An empty array or wrapper (`[]`, `{"Records": []}`) holds no record to read.
                guard !elements.isEmpty else {
                    return
                }
                pending = Pending(
                    elements: elements,
                    bytes: bytes,
                    spans: path.flatMap { WrapperSpans.elements(of: bytes, at: $0) }
                        .flatMap { $0.count == elements.count ? $0 : nil },
                    isWrapper: path != nil,
                    line: number
                )
            } catch {
                nextIndex += 1
                refuse(position, error)
            }
        }
    }

    /// Reads the next record of the pending document.
    private mutating func readPending(into chunk: inout SourceChunk) {
        guard var document = pending else {
            return
        }
        let index = document.next
        document.next += 1
        pending = document.next < document.elements.count ? document : nil
        let position = RecordPosition(index: nextIndex, line: document.line)
        nextIndex += 1
        let element = document.elements[index]
        let raw: [UInt8]? =
            if !document.isWrapper {
                Array(document.bytes)
            } else {
                document.spans.flatMap { $0[index].isCanonical ? Array(document.bytes[$0[index].range]) : nil }
            }
        let record = JSONRecord(
            fields: RecordFields(element),
            bytes: raw ?? JSONWriter().bytes(element),
            received: decoder.received
        )
        let decoder = decoder
        add(position, into: &chunk) { (_) throws(SourceError) in try decoder.normalize(record) }
    }

    private mutating func add(
        _ position: RecordPosition,
        into chunk: inout SourceChunk,
        _ normalize: (inout VPCFlowFields) throws(SourceError) -> LogEntry?
    ) {
        do throws(SourceError) {
            guard let entry = try normalize(&flowFields) else {
                return
            }
            let checked = try entry.checkedAndEnriched(by: decoder.enricher)
            chunk.entries.append(checked)
            chunk.positions.append(position)
            chunk.dataBytes += Self.size(of: checked.event.data) + 256
        } catch {
            refuse(position, error)
        }
    }

    private mutating func refuse(_ position: RecordPosition, _ error: SourceError) {
        rejectedCount += 1
        if rejected.count < decoder.limits.maxListedRejections {
            rejected.append(RejectedRecord(position: position, error: error))
        }
    }

    static func size(of data: CloudEventData?) -> Int {
        switch data {
        case .json(let bytes), .binary(let bytes): return bytes.count
        case .text(let text): return text.utf8.count
        case nil: return 0
        }
    }
}

/// A reader holds a decompressor's state and is used by one task at a time.
@available(*, unavailable)
extension SourceBodyReader: Sendable {}
