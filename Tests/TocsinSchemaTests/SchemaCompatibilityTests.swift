// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSchema

/// Compatibility between versions, as a table: (old, new, mode) → the keywords and locations that break.
struct SchemaCompatibilityTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let old: String
        let new: String
        let mode: SchemaCompatibilityMode
        let breaks: [String]
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "a new required property breaks backward",
            old: #"{"properties": {"a": {"type": "string"}}}"#,
            new: #"{"properties": {"a": {"type": "string"}}, "required": ["a"]}"#,
            mode: .backward,
            breaks: ["/required"]
        ),
        Row(
            name: "dropping a required property is backward compatible",
            old: #"{"required": ["a"]}"#,
            new: #"{}"#,
            mode: .backward,
            breaks: []
        ),
        Row(
            name: "dropping a required property breaks forward",
            old: #"{"required": ["a"]}"#,
            new: #"{}"#,
            mode: .forward,
            breaks: ["/required"]
        ),
        Row(
            name: "a narrowed type breaks backward",
            old: #"{"properties": {"n": {"type": "number"}}}"#,
            new: #"{"properties": {"n": {"type": "integer"}}}"#,
            mode: .backward,
            breaks: ["/properties/n/type"]
        ),
        Row(
            name: "widening integer to number is backward compatible",
            old: #"{"type": "integer"}"#,
            new: #"{"type": "number"}"#,
            mode: .backward,
            breaks: []
        ),
        Row(
            name: "a removed enum value breaks backward",
            old: #"{"enum": ["low", "high"]}"#,
            new: #"{"enum": ["low"]}"#,
            mode: .backward,
            breaks: ["/enum"]
        ),
        Row(
            name: "an added enum value breaks forward only",
            old: #"{"enum": ["low"]}"#,
            new: #"{"enum": ["low", "high"]}"#,
            mode: .full,
            breaks: ["/enum"]
        ),
        Row(
            name: "a tighter maximum and a new minLength break backward",
            old: #"{"properties": {"n": {"maximum": 10}, "s": {"type": "string"}}}"#,
            new: #"{"properties": {"n": {"maximum": 5}, "s": {"type": "string", "minLength": 2}}}"#,
            mode: .backward,
            breaks: ["/properties/n/maximum", "/properties/s/minLength"]
        ),
        Row(
            name: "closing additional properties breaks backward",
            old: #"{"properties": {"a": true}}"#,
            new: #"{"properties": {"a": true}, "additionalProperties": false}"#,
            mode: .backward,
            breaks: ["/additionalProperties"]
        ),
        Row(
            name: "a new optional property with a type breaks backward (old data could hold anything there)",
            old: #"{}"#,
            new: #"{"properties": {"b": {"type": "string"}}}"#,
            mode: .backward,
            breaks: ["/properties/b/type"]
        ),
        Row(
            name: "nested array items are compared",
            old: #"{"items": {"type": ["string", "null"]}}"#,
            new: #"{"items": {"type": "string"}}"#,
            mode: .backward,
            breaks: ["/items/type"]
        ),
        Row(
            name: "a keyword not understood is reported, not passed",
            old: #"{}"#,
            new: #"{"anyOf": [{"type": "string"}, {"type": "null"}]}"#,
            mode: .backward,
            breaks: ["/anyOf"]
        ),
        Row(
            name: "annotations never break",
            old: #"{"title": "a"}"#,
            new: #"{"title": "b", "description": "c", "format": "email"}"#,
            mode: .full,
            breaks: []
        ),
        Row(
            name: "none accepts anything",
            old: #"{"type": "string"}"#,
            new: #"{"type": "object"}"#,
            mode: .none,
            breaks: []
        ),
    ]

    @Test(arguments: rows)
    func row(_ row: Row) throws {
        let changes = SchemaCompatibility.check(
            old: try JSONParser().parse(row.old),
            new: try JSONParser().parse(row.new),
            mode: row.mode
        )
        #expect(changes.map(\.location) == row.breaks, "\(changes)")
    }

    @Test func boundsAreShownAsTheSchemaWroteThem() throws {
        let changes = SchemaCompatibility.check(
            old: try JSONParser().parse(#"{"maximum": 10, "minimum": 0.5}"#),
            new: try JSONParser().parse(#"{"maximum": 5, "minimum": 0.75}"#),
            mode: .backward
        )
        #expect(changes.map(\.message) == ["minimum raised from 0.5 to 0.75", "maximum lowered from 10 to 5"])
    }

    @Test func theReportSaysWhatBroke() throws {
        let changes = SchemaCompatibility.check(
            old: try JSONParser().parse(#"{"enum": ["low", "high"], "required": ["a"]}"#),
            new: try JSONParser().parse(#"{"enum": ["low"], "required": ["a", "region"]}"#),
            mode: .backward
        )
        #expect(changes.map(\.message) == [#"enum values removed: "high""#, #"new required property "region""#])
        #expect(changes.allSatisfy { $0.direction == .backward })
    }
}
