// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

/// `JSONParser.parse(_:keeping:)`: what it keeps, and that it accepts and rejects exactly what
/// `parse(_:)` does, with the same error.
struct JSONProjectionTests {
    let parser = JSONParser()

    struct Kept: Sendable, CustomTestStringConvertible {
        let document: String
        let paths: [[String]]
        let expected: String
        var testDescription: String { "\(paths) of \(document)" }
    }

    static let kept: [Kept] = [
        Kept(
            document: #"{"a":{"b":1,"c":[1,2]},"d":"x","e":{"f":true}}"#,
            paths: [["a", "b"], ["e"]],
            expected: #"{"a":{"b":1},"e":{"f":true}}"#
        ),
        Kept(document: #"{"r":[{"x":1,"y":2},{"y":3},5]}"#, paths: [["r", "x"]], expected: #"{"r":[{"x":1},{},5]}"#),
        Kept(
            document: #"{"a.b":{"c":1,"z":2},"a.q":1,"a":{}}"#,
            paths: [["a", "b", "c"]],
            expected: #"{"a.b":{"c":1},"a":{}}"#
        ),
        Kept(
            document: #"{"a":{"b.c":"x","b":{"c":"y"}}}"#,
            paths: [["a", "b", "c"]],
            expected: #"{"a":{"b.c":"x","b":{"c":"y"}}}"#
        ),
        Kept(document: #"{"a":1,"b":2}"#, paths: [], expected: #"{}"#),
        Kept(document: #"{"a":1,"b":2}"#, paths: [[]], expected: #"{"a":1,"b":2}"#),
        Kept(document: #"[{"a":1,"b":2},"s",null]"#, paths: [["b"]], expected: #"[{"b":2},"s",null]"#),
        Kept(document: #""just a string""#, paths: [["a"]], expected: #""just a string""#),
        Kept(document: #"{"\u0061":{"b":1},"c":2}"#, paths: [["a"]], expected: #"{"a":{"b":1}}"#),
        Kept(document: #"{"a":{"b":1,"c":2}}"#, paths: [["a", "b"], ["a"]], expected: #"{"a":{"b":1,"c":2}}"#),
        Kept(
            document: #"{"a.b":1,"a.c.d":{"e":2},"a":{"c":3},"ab.c":4}"#,
            paths: [["a"], ["a", "b"]],
            expected: #"{"a.b":1,"a.c.d":{"e":2},"a":{"c":3}}"#
        ),
        Kept(document: #"{"x":{"a.b":1,"a":2}}"#, paths: [["x", "a"]], expected: #"{"x":{"a.b":1,"a":2}}"#),
    ]

    @Test("keeps the named paths and nothing else", arguments: kept)
    func keepsNamedPaths(_ kept: Kept) throws {
        let value = try parser.parse(Array(kept.document.utf8), keeping: JSONProjection(paths: kept.paths))
        #expect(value == (try parser.parse(kept.expected)))
    }

    @Test func pathsReportWhatIsKept() {
        var projection = JSONProjection(paths: [["a", "b"], ["a", "c"], ["d"]])
        projection.formUnion(JSONProjection(paths: [["a"], ["e", "f"]]))
        #expect(Set(projection.paths) == [["a"], ["d"], ["e", "f"]])
        #expect(!projection.keepsEverything)
        #expect(JSONProjection(paths: [[]]).keepsEverything)
    }

    /// Documents whose only fault sits inside a member the projection drops.
    static let faultsInDroppedMembers: [String] = [
        #"{"keep":1,"drop":{"x":[1,2,]}}"#,
        #"{"keep":1,"drop":"bad \u12 escape"}"#,
        #"{"keep":1,"drop":01}"#,
        #"{"keep":1,"drop":-}"#,
        #"{"keep":1,"drop":1.e5}"#,
        #"{"keep":1,"drop":tru}"#,
        #"{"keep":1,"drop":nul}"#,
        #"{"keep":1,"drop":{"a":1,"a":2}}"#,
        #"{"keep":1,"drop":{"a":1,"\u0061":2}}"#,
        #"{"keep":1,"drop":{"é":1,"é":2}}"#,
        #"{"keep":1,"drop":{"a" 1}}"#,
        #"{"keep":1,"drop":[1 2]}"#,
        #"{"keep":1,"drop":{"a":1,}}"#,
        #"{"keep":1,"drop":{a:1}}"#,
        #"{"keep":1,"drop":"\ud800"}"#,
        #"{"keep":1,"keep":2}"#,
        #"{"keep":1,"drop":[1,2]"#,
        #"{"keep":1,"drop":{"x":1}} trailing"#,
        "{\"keep\":1,\"drop\":\"tab\there\"}",
        "{\"keep\":1,\"drop\":{" + (0..<40).map { "\"m\($0)\":\($0)," }.joined() + "\"m7\":0}}",
        "{\"keep\":1,\"drop\":" + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}",
        "{\"keep\":1,\"drop\":" + String(repeating: "{\"a\":", count: 129) + "1" + String(repeating: "}", count: 129)
            + "}",
    ]

    @Test("a fault inside a dropped member is the same error", arguments: faultsInDroppedMembers)
    func faultsInDroppedMembersAreErrors(_ document: String) {
        let bytes = Array(document.utf8)
        let full = Result { () throws(JSONParseError) in try parser.parse(bytes) }
        let projected = Result { () throws(JSONParseError) in
            try parser.parse(bytes, keeping: JSONProjection(paths: [["keep"]]))
        }
        guard case .failure(let expected) = full else {
            Issue.record("the full parse should fail")
            return
        }
        #expect(projected.mapError { $0 } == .failure(expected))
    }

    @Test func invalidUTF8InADroppedMemberIsAnError() {
        let bytes = Array(#"{"keep":1,"drop":"x"#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)
        #expect(
            Self.errorCode { () throws(JSONParseError) in
                try parser.parse(bytes, keeping: JSONProjection(paths: [["keep"]]))
            } == .invalidUTF8
        )
    }

    @Test func depthAndSizeLimitsStillApply() {
        let limited = JSONParser(limits: .init(maxDepth: 4, maxBytes: 64))
        let deep = Array(#"{"keep":1,"drop":[[[[1]]]]}"#.utf8)
        let projection = JSONProjection(paths: [["keep"]])
        #expect(
            Self.errorCode { () throws(JSONParseError) in try limited.parse(deep, keeping: projection) } == .tooDeep
        )
        let large = Array(("{\"keep\":1,\"drop\":\"" + String(repeating: "x", count: 100) + "\"}").utf8)
        #expect(
            Self.errorCode { () throws(JSONParseError) in try limited.parse(large, keeping: projection) } == .tooLarge
        )
    }

    /// The code of the error `parse` throws, or `nil` when it parses.
    static func errorCode(_ parse: () throws(JSONParseError) -> JSONValue) -> JSONParseError.Code? {
        do {
            _ = try parse()
            return nil
        } catch {
            return error.code
        }
    }

    /// A record with nested objects, arrays, escapes, non-ASCII text, numbers and literals.
    static let record = #"""
        {"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/\u00e9","sessionContext":{"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2026-01-01T00:00:00Z","eventName":"PutBucketPolicy","requestParameters":{"bucketName":"b\"q","policy":[{"Effect":"Allow","n":-1.5e3},{"Effect":"Deny"}],"x.y":true},"responseElements":null,"tags":["a","é",2,false],"additionalEventData.MFAUsed":"No"}
        """#

    static let recordPaths: [[String]] = [
        ["eventName"], ["userIdentity", "type"], ["requestParameters", "policy", "Effect"],
        ["requestParameters", "x", "y"],
        ["additionalEventData", "MFAUsed"], ["tags"],
    ]

    @Test("every truncation and byte change of a record: same error, or the projection of the same value")
    func mutationsAgreeWithTheFullParse() throws {
        let original = Array(Self.record.utf8)
        let projection = JSONProjection(paths: Self.recordPaths)
        var variants: [[UInt8]] = (0...original.count).map { Array(original[..<$0]) }
        for position in original.indices {
            for replacement: UInt8 in [0x22, 0x5C, 0x2C, 0x7D, 0x5D, 0x31, 0x20, 0x01, 0xFF, 0x65] {
                var changed = original
                changed[position] = replacement
                variants.append(changed)
            }
        }
        var failures = 0
        for bytes in variants {
            let full = Result { () throws(JSONParseError) in try parser.parse(bytes) }
            let projected = Result { () throws(JSONParseError) in try parser.parse(bytes, keeping: projection) }
            switch (full, projected) {
            case (.success(let value), .success(let kept)):
                #expect(kept == Self.project(value, Self.recordPaths), "\(String(decoding: bytes, as: UTF8.self))")
            case (.failure(let expected), .failure(let error)):
                #expect(error == expected, "\(String(decoding: bytes, as: UTF8.self))")
                failures += 1
            default:
                Issue.record("the parses disagree on \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(failures > variants.count / 2, "most variants should be malformed")
    }

    /// The reference projection: members kept when their name, or its dot-separated parts, lead
    /// along a path or past its end; values at a path's end kept whole; arrays transparent.
    static func project(_ value: JSONValue, _ paths: [[String]]) -> JSONValue {
        if paths.contains(where: \.isEmpty) {
            return value
        }
        switch value {
        case .object(let object):
            var members: [JSONObject.Member] = []
            for member in object.members {
                let parts = member.name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                let exact = paths.filter { $0.first == member.name }.map { Array($0.dropFirst()) }
                // A dotted name whose leading parts already end a path lies inside a value kept whole.
                let dotted =
                    paths.contains { !$0.isEmpty && parts.starts(with: $0) }
                    ? [[]] : paths.filter { $0.starts(with: parts) }.map { Array($0.dropFirst(parts.count)) }
                let rest = exact.isEmpty ? dotted : exact
                if !rest.isEmpty {
                    members.append(.init(name: member.name, value: project(member.value, rest)))
                }
            }
            return .object(JSONObject(members))
        case .array(let elements):
            return .array(elements.map { project($0, paths) })
        default:
            return value
        }
    }
}
