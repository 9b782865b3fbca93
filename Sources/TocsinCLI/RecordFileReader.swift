// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinCore
import TocsinSources

/// One request's worth of a file, and how to map the server's positions back onto the file.
struct RecordChunk {
    enum Numbering {
        /// Lines of the file; the chunk's line `n` is file line `n + offset`.
        case lines(offset: Int)
        /// Records of a wrapper document, sent one per line; the chunk's line `n` is record `n + offset`.
        case records(offset: Int)
    }

    var body: [UInt8]
    var numbering: Numbering
    /// File bytes this chunk accounts for (for the progress bar).
    var fileBytes: Int
}

/// Reads a file of native records in chunks: wrapper documents record by record, everything else
/// line by line.
///
/// Large plain files are streamed, and so are gzipped files whose lines go on past
/// 64 MiB decompressed (inflated a piece at a time), so memory stays flat whatever the file size;
/// only a single JSON document is ever held whole (up to 1 GiB).
final class RecordFileReader {
    private static let wholeFileLimit = 64 * 1024 * 1024
    private static let blockBytes = 4 * 1024 * 1024
    private static let maxDecompressedBytes = 1024 * 1024 * 1024

    /// Why `path` cannot be read, in one sentence with the next step.
    static func openFailure(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "cannot open \(path): no such file; check the path, or pass '-' to read standard input."
        }
        if isDirectory.boolValue {
            return "cannot open \(path): it is a directory; name the files in it (for example \(path)/*.json)."
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            return "cannot open \(path): permission denied; run as a user who can read it."
        }
        return "cannot open \(path); check that it is a readable file."
    }

    private let handle: FileHandle
    private let format: SourceFormat
    private let chunkRecords: Int
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private var streaming: Bool
    private var isAtEnd = false
    private var records: [JSONValue]?
    private var nextRecord = 0
    private var nextLine = 1
    private var flowHeader: [UInt8]?
    private var compressedBytes: Int?
    private var inflater: GzipInflater?
    private var inflatedShare = 0

    init(path: String, format: SourceFormat, chunkRecords: Int) throws {
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            do {
                handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            } catch {
                throw ValidationError(Self.openFailure(path))
            }
        }
        self.format = format
        self.chunkRecords = chunkRecords
        // Standard input and pipes cannot seek back, so they are never probed: they are read whole.
        if path == "-" || (try? handle.seekToEnd()) == nil {
            streaming = false
        } else {
            let size = Int((try? handle.offset()) ?? 0)
            try? handle.seek(toOffset: 0)
            let head = (try handle.read(upToCount: 2)) ?? Data()
            try? handle.seek(toOffset: 0)
            streaming = size > Self.wholeFileLimit && !Gzip.isCompressed(head)
        }
        if !streaming {
            var bytes = Array((try handle.readToEnd()) ?? Data())
            isAtEnd = true
            if Gzip.isCompressed(bytes) {
                compressedBytes = bytes.count
                do {
                    bytes = try inflate(bytes)
                } catch {
                    throw ValidationError("\(path): \(error)")
                }
            }
            records =
                inflater == nil
                ? RecordSplitter(isText: format.isText, limits: .init(maxBytes: Self.maxDecompressedBytes))
                    .wrappedRecords(bytes) : nil
            buffer = records == nil ? bytes : []
        }
    }

    /// Inflates a gzip file whole when it is small or one JSON document; otherwise keeps the first
    /// 64 MiB and the inflater, and the lines are read on as the chunks are sent.
    private func inflate(_ compressed: [UInt8]) throws(SourceError) -> [UInt8] {
        let stream = try GzipInflater(compressed)
        var bytes: [UInt8] = []
        while bytes.count <= Self.wholeFileLimit {
            guard let piece = try stream.next() else {
                return bytes
            }
            bytes += piece
        }
        let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") }
        let isDocument =
            !format.isText
            && (bytes.first { $0 > 0x20 }).map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") }
                == true
            && (try? JSONParser(limits: .init(maxBytes: Self.wholeFileLimit)).parse(firstLine)) == nil
        guard isDocument else {
            inflater = stream
            isAtEnd = false
            return bytes
        }
        while let piece = try stream.next() {
            guard bytes.count + piece.count <= Self.maxDecompressedBytes else {
                throw SourceError(
                    offset: 0,
                    message:
                        "one JSON document over \(Self.maxDecompressedBytes) bytes decompressed; split the file"
                )
            }
            bytes += piece
        }
        return bytes
    }

    deinit {
        try? handle.close()
    }

    /// The next chunk, or `nil` at the end of the file.
    func next() throws -> RecordChunk? {
        if let records {
            return recordChunk(records)
        }
        return try lineChunk()
    }

    private func recordChunk(_ records: [JSONValue]) -> RecordChunk? {
        guard nextRecord < records.count else {
            return nil
        }
        var end = nextRecord
        var body: [UInt8] = []
        // At most `chunkRecords` records and about 4 MiB, well under the server's body limit.
        while end < records.count && end - nextRecord < chunkRecords && body.count < Self.blockBytes {
            body += JSONWriter().bytes(records[end])
            body.append(UInt8(ascii: "\n"))
            end += 1
        }
        defer { nextRecord = end }
        let share = (compressedBytes ?? body.count) * (end - nextRecord) / max(records.count, 1)
        return RecordChunk(body: body, numbering: .records(offset: nextRecord - 1), fileBytes: share)
    }

    private func lineChunk() throws -> RecordChunk? {
        var body: [UInt8] = []
        var offset = nextLine - 1
        if let flowHeader {
            body = flowHeader + [UInt8(ascii: "\n")]
            offset -= 1
        }
        let headerBytes = body.count
        var lines = 0
        var consumed = 0
        let inflatedBefore = inflater?.compressedBytesRead ?? 0
        while lines < chunkRecords && body.count < Self.blockBytes {
            guard let line = try nextRawLine() else {
                break
            }
            consumed += line.count + 1
            nextLine += 1
            if format == .vpcflow, let text = String(validating: line, as: UTF8.self), VPCFlowFields.isHeader(text) {
                flowHeader = Array(line)
            }
            body += line
            body.append(UInt8(ascii: "\n"))
            lines += 1
        }
        guard body.count > headerBytes else {
            return nil
        }
        let share: Int
        if let inflater {
            share = inflater.compressedBytesRead - inflatedBefore
        } else {
            share = compressedBytes.map { $0 * consumed / max(buffer.count, 1) } ?? consumed
        }
        return RecordChunk(body: body, numbering: .lines(offset: offset), fileBytes: share)
    }

    /// The next bytes of the file: inflated, when it is a large gzip file, else read.
    private func readBlock() throws -> [UInt8] {
        guard let inflater else {
            return Array(try handle.read(upToCount: Self.blockBytes) ?? Data())
        }
        var block: [UInt8] = []
        while block.count < Self.blockBytes, let piece = try inflater.next() {
            block += piece
        }
        return block
    }

    /// The next line without its newline, refilling the buffer from the file when streaming.
    private func nextRawLine() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[bufferStart...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { bufferStart = newline + 1 }
                return buffer[bufferStart..<newline]
            }
            if isAtEnd {
                guard bufferStart < buffer.count else {
                    return nil
                }
                defer { bufferStart = buffer.count }
                return buffer[bufferStart...]
            }
            let block = try readBlock()
            buffer = Array(buffer[bufferStart...]) + block
            bufferStart = 0
            isAtEnd = block.isEmpty
        }
    }
}
