// SPDX-License-Identifier: Apache-2.0

/// The bytes of log records inside an archive block: every column exactly as stored, so the
/// records' hashes recompute from an archive as they do from the database.
///
/// Integers are big-endian; byte strings and text carry a 32-bit length; optional values carry a
/// presence byte first.
enum ArchiveRecordCoding {
    /// Appends `record` to `output`.
    static func append(_ record: LogRecord, to output: inout [UInt8]) {
        appendInteger(record.sequence, to: &output)
        appendText(record.source, to: &output)
        appendText(record.id, to: &output)
        appendText(record.type, to: &output)
        appendOptional(record.subject.map { Array($0.utf8) }, to: &output)
        output.append(record.timeMilliseconds == nil ? 0 : 1)
        appendInteger(record.timeMilliseconds ?? 0, to: &output)
        appendBytes(record.attributes, to: &output)
        output.append(record.dataKind)
        appendBytes(record.data, to: &output)
        appendInteger(record.ingestMilliseconds, to: &output)
        appendBytes(record.previousHash, to: &output)
        appendBytes(record.hash, to: &output)
        appendOptional(record.ocsf, to: &output)
        appendOptional(record.enrichment, to: &output)
    }

    /// Reads every record of a block, or `nil` when the bytes are not a whole number of records.
    static func records(in bytes: [UInt8]) -> [LogRecord]? {
        var reader = Reader(bytes: bytes)
        var records: [LogRecord] = []
        while reader.offset < bytes.count {
            guard let record = reader.record() else {
                return nil
            }
            records.append(record)
        }
        return records
    }

    private static func appendInteger(_ value: Int64, to output: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { output.append(contentsOf: $0) }
    }

    private static func appendBytes(_ bytes: [UInt8], to output: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { output.append(contentsOf: $0) }
        output.append(contentsOf: bytes)
    }

    private static func appendText(_ text: String, to output: inout [UInt8]) {
        appendBytes(Array(text.utf8), to: &output)
    }

    private static func appendOptional(_ bytes: [UInt8]?, to output: inout [UInt8]) {
        guard let bytes else {
            output.append(0)
            return
        }
        output.append(1)
        appendBytes(bytes, to: &output)
    }

    /// Reads records back, refusing anything out of bounds.
    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func record() -> LogRecord? {
            guard let sequence = integer(), let source = text(), let id = text(), let type = text(),
                let subject = optional(), let hasTime = byte(), let time = integer(),
                let attributes = data(), let dataKind = byte(), let payload = data(), let ingest = integer(),
                let previousHash = data(), let hash = data(), let ocsf = optional(), let enrichment = optional()
            else {
                return nil
            }
            return LogRecord(
                sequence: sequence,
                source: source,
                id: id,
                type: type,
                subject: subject.map { String(decoding: $0, as: UTF8.self) },
                timeMilliseconds: hasTime == 1 ? time : nil,
                attributes: attributes,
                dataKind: dataKind,
                data: payload,
                ingestMilliseconds: ingest,
                previousHash: previousHash,
                hash: hash,
                ocsf: ocsf,
                enrichment: enrichment
            )
        }

        private mutating func byte() -> UInt8? {
            guard offset < bytes.count else {
                return nil
            }
            offset += 1
            return bytes[offset - 1]
        }

        private mutating func integer() -> Int64? {
            guard bytes.count - offset >= 8 else {
                return nil
            }
            var value: UInt64 = 0
            for index in offset..<offset + 8 {
                value = value << 8 | UInt64(bytes[index])
            }
            offset += 8
            return Int64(bitPattern: value)
        }

        private mutating func data() -> [UInt8]? {
            guard bytes.count - offset >= 4 else {
                return nil
            }
            var length = 0
            for index in offset..<offset + 4 {
                length = length << 8 | Int(bytes[index])
            }
            offset += 4
            guard bytes.count - offset >= length else {
                return nil
            }
            offset += length
            return Array(bytes[offset - length..<offset])
        }

        private mutating func text() -> String? {
            data().map { String(decoding: $0, as: UTF8.self) }
        }

        /// An optional value: a presence byte of 0 (absent) or 1 (then the bytes); `.some(nil)`
        /// for absent, `nil` for malformed.
        private mutating func optional() -> [UInt8]?? {
            switch byte() {
            case 0: return .some(nil)
            case 1: return data().map { .some($0) } ?? nil
            default: return nil
            }
        }
    }
}

extension LogRecord {
    /// A record with every column given, as read back from an archive.
    init(
        sequence: Int64,
        source: String,
        id: String,
        type: String,
        subject: String?,
        timeMilliseconds: Int64?,
        attributes: [UInt8],
        dataKind: UInt8,
        data: [UInt8],
        ingestMilliseconds: Int64,
        previousHash: [UInt8],
        hash: [UInt8],
        ocsf: [UInt8]?,
        enrichment: [UInt8]?
    ) {
        self.sequence = sequence
        self.source = source
        self.id = id
        self.type = type
        self.subject = subject
        self.timeMilliseconds = timeMilliseconds
        self.attributes = attributes
        self.dataKind = dataKind
        self.data = data
        self.ingestMilliseconds = ingestMilliseconds
        self.previousHash = previousHash
        self.hash = hash
        self.ocsf = ocsf
        self.enrichment = enrichment
    }
}
