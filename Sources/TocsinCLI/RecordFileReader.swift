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
/// line by line (large plain files are streamed, so memory stays flat whatever the file size).
final class RecordFileReader {
    private static let wholeFileLimit = 64 * 1024 * 1024
    private static let blockBytes = 4 * 1024 * 1024
    private static let maxDecompressedBytes = 1024 * 1024 * 1024

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

    init(path: String, format: SourceFormat, chunkRecords: Int) throws {
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw ValidationError("cannot open \(path)")
            }
            handle = opened
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
                    bytes = try Gzip.decompress(bytes, limit: Self.maxDecompressedBytes)
                } catch {
                    throw ValidationError("\(path): \(error)")
                }
            }
            records = RecordSplitter(isText: format.isText, limits: .init(maxBytes: Self.maxDecompressedBytes))
                .wrappedRecords(bytes)
            buffer = records == nil ? bytes : []
        }
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
        let end = min(nextRecord + chunkRecords, records.count)
        var body: [UInt8] = []
        for record in records[nextRecord..<end] {
            body += JSONWriter().bytes(record)
            body.append(UInt8(ascii: "\n"))
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
        let share = compressedBytes.map { $0 * consumed / max(buffer.count, 1) } ?? consumed
        return RecordChunk(body: body, numbering: .lines(offset: offset), fileBytes: share)
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
            let block = try handle.read(upToCount: Self.blockBytes) ?? Data()
            buffer = Array(buffer[bufferStart...]) + block
            bufferStart = 0
            isAtEnd = block.isEmpty
        }
    }
}
