// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

struct JSONParserTests {
    let parser = JSONParser()

    @Test(
        "numbers keep their original text",
        arguments: ["300", "3.0e2", "9007199254740993", "-0", "1E+2", "0.000001"]
    )
    func numbersKeepText(_ text: String) throws {
        let value = try parser.parse("[\(text)]")
        #expect(value == .array([.number(JSONNumber(text: text))]))
        #expect(JSONWriter().string(value) == "[\(text)]")
    }

    @Test("parses nested documents with escapes and Unicode")
    func parsesNested() throws {
        let value = try parser.parse(#"{"a":{"b":[true,false,null]},"s":"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é"}"#)
        #expect(value["a"]?["b"] == .array([.bool(true), .bool(false), .null]))
        #expect(value["s"]?.stringValue == "x\"\\/\u{8}\u{c}\n\r\té😀é")
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        let bytes: [UInt8]
        let code: JSONParseError.Code
        let offset: Int
        var testDescription: String { String(decoding: bytes, as: UTF8.self) }
        init(_ text: String, _ code: JSONParseError.Code, _ offset: Int) {
            self.bytes = Array(text.utf8)
            self.code = code
            self.offset = offset
        }
        init(bytes: [UInt8], _ code: JSONParseError.Code, _ offset: Int) {
            self.bytes = bytes
            self.code = code
            self.offset = offset
        }
    }

    static let malformed: [Malformed] = [
        Malformed("", .unexpectedEnd, 0),
        Malformed("   ", .unexpectedEnd, 3),
        Malformed("{", .unexpectedEnd, 1),
        Malformed("[1,]", .unexpectedByte, 3),
        Malformed("[1 2]", .unexpectedByte, 3),
        Malformed("{\"a\" 1}", .unexpectedByte, 5),
        Malformed("{\"a\":1,}", .unexpectedByte, 7),
        Malformed("{a:1}", .unexpectedByte, 1),
        Malformed("{\"a\":1 \"b\":2}", .unexpectedByte, 7),
        Malformed("01", .invalidNumber, 1),
        Malformed("-", .invalidNumber, 1),
        Malformed("1.", .invalidNumber, 2),
        Malformed("1e", .invalidNumber, 2),
        Malformed(".5", .unexpectedByte, 0),
        Malformed("+1", .unexpectedByte, 0),
        Malformed("NaN", .unexpectedByte, 0),
        Malformed("tru", .unexpectedEnd, 3),
        Malformed("nul1", .unexpectedByte, 3),
        Malformed("\"abc", .unexpectedEnd, 4),
        Malformed("\"a\tb\"", .controlCharacter, 2),
        Malformed("\"\\x\"", .invalidEscape, 1),
        Malformed("\"\\u12G4\"", .invalidEscape, 5),
        Malformed("\"\\ud800\"", .invalidEscape, 1),
        Malformed("\"\\udc00\"", .invalidEscape, 1),
        Malformed("\"\\ud800\\u0041\"", .invalidEscape, 1),
        Malformed("1 2", .trailingContent, 2),
        Malformed("{\"a\":1,\"a\":2}", .duplicateMember, 7),
        Malformed(bytes: [0x22, 0xC0, 0xA0, 0x22], .invalidUTF8, 1),
        Malformed(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, 1),
        Malformed(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8, 1),
        Malformed(bytes: [0x22, 0xE2, 0x82, 0x22], .invalidUTF8, 3),
        Malformed(bytes: [0x22, 0xFF, 0x22], .invalidUTF8, 1),
        Malformed(bytes: [0x22, 0x61, 0xE2, 0x82], .invalidUTF8, 2),
        Malformed(bytes: [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], .invalidUTF8, 0),
    ]

    @Test("malformed input is rejected with the byte offset", arguments: malformed)
    func rejectsMalformed(_ input: Malformed) {
        #expect {
            try parser.parse(input.bytes)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.code == input.code && error.offset == input.offset
        }
    }

    @Test("100,000-deep nesting is a clean error, not a stack overflow")
    func deepNesting() {
        for open in ["[", "{\"a\":"] {
            let document = String(repeating: open, count: 100_000)
            #expect {
                try parser.parse(document)
            } throws: { error in
                (error as? JSONParseError)?.code == .tooDeep
            }
        }
    }

    @Test("depth exactly at the limit is accepted, one more is rejected")
    func depthBoundary() throws {
        let strict = JSONParser(limits: .init(maxDepth: 3))
        _ = try strict.parse("[[[1]]]")
        #expect(throws: JSONParseError.self) { try strict.parse("[[[[1]]]]") }
    }

    @Test("documents over the size limit are rejected before parsing")
    func sizeLimit() {
        let small = JSONParser(limits: .init(maxBytes: 10))
        #expect {
            try small.parse("[1,2,3,4,5,6]")
        } throws: { error in
            (error as? JSONParseError)?.code == .tooLarge
        }
    }

    @Test("error messages never echo document content")
    func errorsAreRedacted() {
        do {
            _ = try parser.parse(#"{"password":"hunter2" oops}"#)
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("hunter2"))
            #expect(!error.description.contains("oops"))
        }
    }

    @Test("writer round-trips parsed documents byte for byte when compact")
    func roundTrip() throws {
        let text = #"{"a":[1,-2.5e-3,"\u0001\n",{"b":null}],"c":"é"}"#
        let value = try parser.parse(text)
        let written = JSONWriter().string(value)
        #expect(try parser.parse(written) == value)
        #expect(written == #"{"a":[1,-2.5e-3,"\u0001\n",{"b":null}],"c":"é"}"#)
    }

    @Test("the eight-bytes-at-a-time string scan stops at every special byte in every position")
    func wordScan() throws {
        for position in 0..<24 {
            let prefix = String(repeating: "a", count: position)
            let suffix = String(repeating: "b", count: 24 - position)
            #expect(try parser.parse("\"\(prefix)\\n\(suffix)\"") == .string(prefix + "\n" + suffix))
            #expect(try parser.parse("\"\(prefix)é\(suffix)\"") == .string(prefix + "é" + suffix))
            #expect(try parser.parse("[\"\(prefix)\",\"\(suffix)\"]") == .array([.string(prefix), .string(suffix)]))
            // The first flagged byte is found exactly, whatever follows it (0x20 and 0x01 after a
            // control byte are where a borrow could flag a later byte too).
            for (bad, code) in [
                (0x01, JSONParseError.Code.controlCharacter), (0x1F, .controlCharacter), (0xFF, .invalidUTF8),
            ] {
                for next: UInt8 in [0x20, 0x01, 0x22] {
                    #expect {
                        try parser.parse(Array("\"\(prefix)".utf8) + [UInt8(bad), next] + Array("\(suffix)\"".utf8))
                    } throws: { error in
                        let error = error as? JSONParseError
                        return error?.code == code && error?.offset == position + 1
                    }
                }
            }
        }
    }
}
