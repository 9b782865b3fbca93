// SPDX-License-Identifier: Apache-2.0

/// The records of a CSV file (RFC 4180): fields separated by commas, records by LF or CRLF;
/// a field in double quotes may hold commas, line breaks and `""` for a quote.
///
/// A UTF-8 byte-order mark at the start (spreadsheet exports write one) is skipped, and blank lines
/// are skipped.
struct CSVRecords: Sequence, IteratorProtocol {
    /// One record: its fields and the line it starts on.
    struct Record {
        var fields: [String]
        var line: Int
    }

    /// A record whose quotes do not close, or with text after a closing quote.
    struct Malformed: Error {
        var line: Int
        var message: String
    }

    private let bytes: [UInt8]
    private var index: Int
    private var line = 1
    private(set) var failure: Malformed?

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// The next record, or `nil` at the end or at the first malformed record (then ``failure``
    /// says where).
    mutating func next() -> Record? {
        while index < bytes.count, bytes[index] == UInt8(ascii: "\n") || bytes[index] == UInt8(ascii: "\r") {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
            }
            index += 1
        }
        guard index < bytes.count, failure == nil else {
            return nil
        }
        let start = line
        var fields: [String] = []
        while true {
            guard let field = readField(recordLine: start) else {
                return nil
            }
            fields.append(field)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else {
                break
            }
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\r") {
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\n") {
            index += 1
            line += 1
        }
        return Record(fields: fields, line: start)
    }

    /// Reads one field up to (not past) the comma or line break that ends it.
    private mutating func readField(recordLine: Int) -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "\n"),
                bytes[index] != UInt8(ascii: "\r")
            {
                index += 1
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        index += 1
        var value: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    guard
                        index == bytes.count
                            || [UInt8(ascii: ","), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[index])
                    else {
                        failure = Malformed(
                            line: line,
                            message: "a quoted field must end at its closing quote; write a quote inside it as \"\""
                        )
                        return nil
                    }
                    return String(decoding: value, as: UTF8.self)
                }
                index += 1
            } else if byte == UInt8(ascii: "\n") {
                line += 1
            }
            value.append(byte)
        }
        failure = Malformed(line: recordLine, message: "a quoted field is not closed before the end of the file")
        return nil
    }
}
