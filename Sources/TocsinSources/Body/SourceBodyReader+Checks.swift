// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The checks made on a body as a whole before any of its records is read.
extension SourceBodyReader {
    /// Documents larger than this are counted (``JSONShape``) before they are parsed.
    static let shapeCheckBytes = 1024 * 1024

    /// Inflates a gzip body once, a piece at a time: its size (refused as soon as it passes
    /// `maxDecompressedBytes`), its lines, and its bytes when they fit one JSON document.
    static func survey(
        _ body: [UInt8],
        limits: SourceDecoder.Limits,
        counter: inout LineCounter
    ) throws(SourceBodyError) -> (size: Int, kept: [UInt8]?) {
        let inflater = try inflater(body)
        var size = 0
        var kept: [UInt8]? = []
        while true {
            let piece: ArraySlice<UInt8>?
            do {
                piece = try inflater.next()
            } catch {
                throw SourceBodyError(code: .invalidBody, message: error.description)
            }
            guard let piece else {
                break
            }
            size += piece.count
            guard size <= limits.maxDecompressedBytes else {
                throw SourceBodyError(
                    code: .decompressedTooLarge,
                    message:
                        "the body decompresses to more than \(limits.maxDecompressedBytes) bytes; split it into smaller requests (tocsin ingest does)",
                    limit: limits.maxDecompressedBytes
                )
            }
            counter.feed(piece)
            if size <= limits.json.maxBytes {
                kept?.append(contentsOf: piece)
            } else {
                kept = nil
            }
            // A line body is refused as soon as it has too many records; a JSON document is
            // counted once it is parsed.
            if counter.lines > limits.maxRecords, kept == nil || !isJSONStart(counter.firstByte) {
                throw tooManyRecords(limits.maxRecords)
            }
        }
        counter.finish()
        return (size, kept)
    }

    static func inflater(_ body: [UInt8]) throws(SourceBodyError) -> GzipInflater {
        do {
            return try GzipInflater(body)
        } catch {
            throw SourceBodyError(code: .invalidBody, message: error.description)
        }
    }

    static func isJSONStart(_ byte: UInt8?) -> Bool {
        byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[")
    }

    static func tooManyRecords(_ limit: Int) -> SourceBodyError {
        SourceBodyError(
            code: .tooManyRecords,
            message:
                "the body holds more than \(limit) records; send at most \(limit) per request (tocsin ingest --chunk-records)",
            limit: limit
        )
    }

    static func documentTooLarge(_ detail: String) -> SourceBodyError {
        SourceBodyError(
            code: .documentTooLarge,
            message:
                "\(detail); send the records as NDJSON, one per line, in several requests (tocsin ingest splits wrapper files)",
            limit: nil
        )
    }

    /// The body as one JSON document, when it is one (a wrapper file or a single record), or `nil`
    /// for anything else (NDJSON); a document that would take too much memory to parse is refused.
    static func wholeDocument(_ bytes: [UInt8], limits: SourceDecoder.Limits) throws(SourceBodyError) -> JSONValue? {
        guard let start = bytes.firstIndex(where: { !ByteScan.isSpace($0) }) else {
            return nil
        }
        if bytes.count > shapeCheckBytes {
            let shape = JSONShape(bytes[start...])
            guard shape.isWithinBudget else {
                throw documentTooLarge(
                    "one JSON document holds more than \(JSONShape.maxContainers) objects and arrays or \(JSONShape.maxValues) values"
                )
            }
            guard let end = shape.end, bytes[end...].allSatisfy(ByteScan.isSpace) else {
                return nil
            }
        }
        return try? JSONParser(limits: limits.json).parse(bytes)
    }

    /// One record (a line, or a line's wrapper) parsed, counted first when it is large.
    static func parse(_ bytes: ArraySlice<UInt8>, limits: SourceDecoder.Limits) throws(SourceError) -> JSONValue {
        if bytes.count > shapeCheckBytes, !JSONShape(bytes).isWithinBudget {
            throw SourceError(
                offset: 0,
                message:
                    "the record holds more than \(JSONShape.maxContainers) objects and arrays or \(JSONShape.maxValues) values"
            )
        }
        do {
            return try JSONParser(limits: limits.json).parse(bytes)
        } catch {
            throw SourceError(offset: error.offset, message: error.message)
        }
    }

    /// A gzip body too large to hold whose first line is not a JSON value is one large document
    /// (a pretty-printed file), not NDJSON: it is refused whole rather than line by line.
    static func requireLineRecords(
        _ body: [UInt8],
        size: Int,
        maxDocument: Int,
        limits: SourceDecoder.Limits
    ) throws(SourceBodyError) {
        var lines = BodyLines(inflating: try inflater(body), firstLine: 1, maxBytes: maxDocument)
        let first: BodyLines.Line?
        do {
            first = try lines.next()
        } catch {
            throw SourceBodyError(code: .invalidBody, message: error.description)
        }
        guard case .text(let bytes, _) = first, (try? parse(bytes, limits: limits)) != nil else {
            throw documentTooLarge(
                "the body is one JSON document of \(size) bytes decompressed; one document may be at most \(maxDocument) bytes"
            )
        }
    }
}
