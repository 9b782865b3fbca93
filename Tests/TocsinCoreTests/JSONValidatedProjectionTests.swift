// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

/// `JSONParser.parse(validated:keeping:)`: on valid JSON it keeps what `parse(_:keeping:)` keeps;
/// on bytes that are not, it stays inside them.
struct JSONValidatedProjectionTests {
    let parser = JSONParser()

    /// Valid documents whose dropped members hold every kind of value: escapes (quotes,
    /// backslashes, `\u` sequences), multi-byte UTF-8, numbers with exponents, literals,
    /// whitespace, nested containers with brackets inside strings.
    static let documents: [String] = [
        #"{"drop":"a \"quoted\" \\ back\\slash \u0022 } ] ,","keep":{"x":1,"y":[true,false,null]}}"#,
        #"{"drop":{"a":[1,-2.5e+10,0,{"b":"}]"}],"c":"é😀"},"keep":"v","after":[[],{}]}"#,
        "{ \"drop\" : [ 1 , 2 , { \"z\" : null } ] ,\n\t\"keep\" : { \"x\" : 1E3 , \"q\" : \"\\\\\" } }",
        #"{"keep":[{"x":1,"drop":"\\"},{"x":"\\\\\""},3],"drop":true,"last":-0}"#,
        #"[{"keep":1,"drop":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"xxxxxxx"},{"drop":12345678901234567890}]"#,
        #"{"keep.x":1,"drop.y":"\\\"","keep":{"x.z":[1]}}"#,
    ]

    static let projections: [[[String]]] = [[["keep"]], [["keep", "x"]], [["drop", "a"], ["keep", "q"]], []]

    @Test("keeps what the validating projection keeps", arguments: documents)
    func sameAsValidating(_ document: String) throws {
        let bytes = Array(document.utf8)
        for paths in Self.projections {
            let projection = JSONProjection(paths: paths)
            let expected = try parser.parse(bytes, keeping: projection)
            #expect(try parser.parse(validated: bytes, keeping: projection) == expected, "\(paths)")
        }
    }

    @Test("the projection tests' documents give the same values")
    func projectionCases() throws {
        for kept in JSONProjectionTests.kept {
            let projection = JSONProjection(paths: kept.paths)
            let bytes = Array(kept.document.utf8)
            #expect(try parser.parse(validated: bytes, keeping: projection) == parser.parse(bytes, keeping: projection))
        }
    }

    @Test("bytes that are not JSON, cut anywhere, end in an error or a value, inside the buffer")
    func truncatedInput() {
        let projection = JSONProjection(paths: [["keep"]])
        var errors = 0
        for document in Self.documents + [#"{"drop":"\"#, #"{"drop":[[["#, #"{"drop":tr"#] {
            let bytes = Array(document.utf8)
            for end in 0...bytes.count where (try? parser.parse(validated: bytes[0..<end], keeping: projection)) == nil
            {
                errors += 1
            }
        }
        #expect(errors > 50, "cut documents should mostly be errors")
    }
}
