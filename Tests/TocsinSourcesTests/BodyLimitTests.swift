// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources
import TocsinTesting

/// Bodies are checked whole before a record is read, and read a chunk at a time: a gzip bomb, a
/// flood of tiny lines or a dense JSON document is refused with the limit it broke, and refused
/// records are counted with a bounded sample.
struct BodyLimitTests {
    static let line = "<38>Nov 25 10:00:00 h sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2"

    /// `copies` concatenated gzip members of `piece`: gunzip reads them as one stream, so a few
    /// kilobytes stand for as much decompressed data as a test needs, as in the measured attack.
    static func bomb(_ piece: [UInt8], copies: Int) throws -> [UInt8] {
        let member = try systemGzip(piece)
        var body: [UInt8] = []
        body.reserveCapacity(member.count * copies)
        for _ in 0..<copies {
            body += member
        }
        return body
    }

    static func decoder(_ limits: SourceDecoder.Limits, format: SourceFormat = .syslog) -> SourceDecoder {
        SourceDecoder(format: format, referenceMilliseconds: SourceFixtures.reference, limits: limits)
    }

    static func code(_ body: () throws -> Void) -> SourceBodyError.Code? {
        do {
            try body()
            return nil
        } catch let error as SourceBodyError {
            return error.code
        } catch {
            return nil
        }
    }

    @Test func gzipBombIsRefusedWhileInflating() throws {
        let body = try Self.bomb([UInt8](repeating: 0, count: 1 << 20), copies: 64)
        #expect(body.count < 100_000, "64 MiB of zeros in \(body.count) bytes")
        let limits = SourceDecoder.Limits(maxDecompressedBytes: 8 << 20)
        do {
            _ = try Self.decoder(limits).reader(for: body)
            Issue.record("a body over the decompressed limit was accepted")
        } catch {
            #expect(error.code == .decompressedTooLarge && error.limit == 8 << 20)
            #expect(error.message.contains("\(8 << 20) bytes") && error.message.contains("split"))
        }
        #expect(throws: SourceError.self) { try Gzip.decompress(body, limit: 1 << 20) }
    }

    @Test func lineFloodIsRefusedByItsRecordCount() throws {
        let flood = try Self.bomb(Array(String(repeating: "a\n", count: 1 << 19).utf8), copies: 32)
        let limits = SourceDecoder.Limits(maxRecords: 10_000)
        #expect(Self.code { _ = try Self.decoder(limits).reader(for: flood) } == .tooManyRecords)
        let plain = Array(String(repeating: "a\n", count: 10_001).utf8)
        #expect(Self.code { _ = try Self.decoder(limits).reader(for: plain) } == .tooManyRecords)
        let wrapper = "[" + Array(repeating: "{}", count: 10_001).joined(separator: ",") + "]"
        #expect(
            Self.code { _ = try Self.decoder(limits, format: .okta).reader(for: Array(wrapper.utf8)) }
                == .tooManyRecords
        )
        let atTheLimit = Array(String(repeating: "a\n\n \n", count: 10_000).utf8)
        #expect(try Self.decoder(limits).reader(for: atTheLimit).recordCount == 10_000, "blank lines are no records")
    }

    @Test func refusedRecordsAreCountedWithABoundedSample() throws {
        let body = Array(String(repeating: "<999>garbage\n", count: 5000).utf8)
        let batch = try Self.decoder(SourceDecoder.Limits()).decode(body)
        #expect(batch.entries.isEmpty && batch.rejectedCount == 5000)
        #expect(batch.rejected.count == 100 && batch.rejected.map(\.position.index) == Array(0..<100))
        #expect(batch.rejected.last?.position.line == 100)
    }

    /// A body larger decompressed than one document is inflated again while it is read, and comes
    /// out in chunks of at most the asked size, numbered as in the body.
    @Test func largeBodiesAreReadInBoundedChunks() throws {
        let lines = (0..<3000).map { "\(Self.line) \($0)" }
        let body = try systemGzip(Array((lines.joined(separator: "\n") + "\n").utf8))
        let limits = SourceDecoder.Limits(json: JSONParser.Limits(maxBytes: 64 * 1024))
        var reader = try Self.decoder(limits).reader(for: body, firstLine: 11)
        var sizes: [Int] = []
        var positions: [RecordPosition] = []
        while let chunk = try reader.next(maxRecords: 500) {
            sizes.append(chunk.entries.count)
            positions += chunk.positions
        }
        #expect(sizes == Array(repeating: 500, count: 6))
        #expect(positions.map(\.index) == Array(0..<3000) && positions.map(\.line) == (11..<3011).map { Optional($0) })
        #expect(reader.rejectedCount == 0)
        var bytes = try Self.decoder(limits).reader(for: body)
        #expect(try bytes.next(maxRecords: 5000, maxDataBytes: 10_000)?.entries.count ?? 0 < 100, "and by data size")
    }

    @Test func aLineLongerThanADocumentIsRefusedNotHeld() throws {
        let long = String(repeating: "x", count: 100_000)
        let text = "\(Self.line)\n<38>Nov 25 10:00:00 h app: \(long)\n\(Self.line) 2\n"
        let limits = SourceDecoder.Limits(json: JSONParser.Limits(maxBytes: 32 * 1024))
        for body in [
            Array(text.utf8), try systemGzip(Array((text + String(repeating: "\(Self.line)\n", count: 500)).utf8)),
        ] {
            let batch = try Self.decoder(limits).decode(body)
            #expect(batch.rejected.map(\.position.line) == [2])
            #expect(batch.rejected.first?.error.message.contains("the line is") == true)
            #expect(batch.entries.count >= 2)
        }
    }

    @Test func aDocumentTooLargeToHoldIsRefusedWhole() throws {
        let records = (0..<2000).map {
            #"  {"eventTime":"2026-01-01T00:00:00Z","eventSource":"s3","eventName":"Get\#($0)"}"#
        }
        let pretty = "{\n \"Records\": [\n" + records.joined(separator: ",\n") + "\n ]\n}\n"
        let limits = SourceDecoder.Limits(json: JSONParser.Limits(maxBytes: 64 * 1024))
        let body = try systemGzip(Array(pretty.utf8))
        #expect(Self.code { _ = try Self.decoder(limits, format: .cloudtrail).reader(for: body) } == .documentTooLarge)
        let ndjson = try systemGzip(Array(records.joined(separator: "\n").utf8))
        #expect(
            try Self.decoder(limits, format: .cloudtrail).decode(ndjson).entries.count == 2000,
            "NDJSON is read by line"
        )
    }

    /// Parsed, `[{"a":0},…]` takes many times its size; such a document is counted and refused
    /// before it is parsed.
    @Test func denseJSONIsCountedBeforeItIsParsed() throws {
        let dense = "[" + Array(repeating: #"{"a":0}"#, count: 300_000).joined(separator: ",") + "]"
        let limits = SourceDecoder.Limits(json: JSONParser.Limits(maxBytes: 8 << 20), maxRecords: 1_000_000)
        #expect(
            Self.code { _ = try Self.decoder(limits, format: .okta).reader(for: Array(dense.utf8)) }
                == .documentTooLarge
        )
        let asLine = Array((#"{"uuid":"u","eventType":"a","published":"2026-01-01T00:00:00Z"}"# + "\n" + dense).utf8)
        let batch = try Self.decoder(limits, format: .okta).decode(asLine)
        #expect(batch.entries.count == 1 && batch.rejected.map(\.position.line) == [2])
        #expect(batch.rejected.first?.error.message.contains("objects and arrays") == true)
    }
}
