// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSchema

private func json(_ text: String) throws -> JSONValue {
    try JSONParser().parse(text)
}

/// Violations, exact numbers, limits and rejected keywords.
struct JSONSchemaTests {
    @Test func aViolationNamesTheKeywordTheSchemaLocationAndTheInstancePath() throws {
        let schema = try JSONSchema(
            json(#"{"properties": {"user": {"properties": {"name": {"type": "string", "maxLength": 3}}}}}"#)
        )
        let violations = schema.validate(try json(#"{"user": {"name": "secret-value"}}"#))
        #expect(violations.count == 1)
        #expect(violations.first?.keyword == "maxLength")
        #expect(violations.first?.instancePath == "/user/name")
        #expect(violations.first?.schemaLocation == "#/properties/user/properties/name/maxLength")
        #expect(violations.first?.description.contains("secret-value") == false)
    }

    @Test func messagesNeverQuoteInstanceValues() throws {
        let schema = try JSONSchema(
            json(
                #"{"type": "object", "required": ["id"], "properties": {"a": {"enum": ["x"]}, "b": {"const": 1},"#
                    + #" "c": {"pattern": "^z"}, "d": {"type": "integer"}}, "additionalProperties": false}"#
            )
        )
        let violations = schema.validate(
            try json(#"{"a": "hunter2", "b": "hunter2", "c": "hunter2", "d": "hunter2", "hunter2": 1}"#)
        )
        #expect(Set(violations.map(\.keyword)) == ["required", "enum", "const", "pattern", "type", "false"])
        for violation in violations {
            #expect(!violation.message.contains("hunter2"))
        }
    }

    @Test func combinatorsReportOneViolationOfTheirOwn() throws {
        let schema = try JSONSchema(json(#"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"#))
        let violations = schema.validate(.bool(true))
        #expect(violations.map(\.keyword) == ["anyOf"])
        #expect(violations.first?.schemaLocation == "#/anyOf")
    }

    @Test(arguments: [
        ("0.01", "19.99", true), ("0.01", "19.999", false), ("0.1", "0.3", true), ("1e-8", "12345678.9", true),
        ("3", "9007199254740993", true), ("0.5", "1e308", true), ("7", "1e400", false), ("2", "-4.0", true),
    ])
    func multipleOfIsExact(divisor: String, value: String, expected: Bool) throws {
        let schema = try JSONSchema(json(#"{"multipleOf": \#(divisor)}"#))
        #expect(schema.isValid(.number(JSONNumber(text: value))) == expected)
    }

    @Test(arguments: [
        ("9007199254740992", "9007199254740993", true), ("1.0", "1", false), ("-0.5", "-0.49", true),
        ("1e3", "1001", true), ("1e3", "999.999", false),
    ])
    func boundsCompareExactly(bound: String, value: String, above: Bool) throws {
        let schema = try JSONSchema(json(#"{"exclusiveMinimum": \#(bound)}"#))
        #expect(schema.isValid(.number(JSONNumber(text: value))) == above)
    }

    @Test(arguments: [
        (##"{"$vocabulary": {}}"##, "#/$vocabulary"),
        (#"{"properties": {"a": {"definitions": {}}}}"#, "#/properties/a/definitions"),
        (#"{"requried": ["a"]}"#, "#/requried"),
        (#"{"$schema": "http://json-schema.org/draft-07/schema#"}"#, "#/$schema"),
    ])
    func unsupportedKeywordsAreRejectedWithTheirLocation(schema: String, location: String) throws {
        let error = #expect(throws: SchemaError.self) { try JSONSchema(json(schema)) }
        #expect(error?.code == .unsupportedKeyword)
        #expect(error?.location == location)
    }

    @Test func annotationsAndExtensionsAreAccepted() throws {
        let schema = try JSONSchema(
            json(#"{"title": "t", "format": "email", "x-owner": "team", "examples": [1], "deprecated": true}"#)
        )
        #expect(schema.isValid(.string("not an email")))
    }

    @Test(arguments: [
        (#"{"minLength": -1}"#, SchemaError.Code.invalidKeyword, "#/minLength"),
        (#"{"pattern": "(a)\\1"}"#, .invalidKeyword, "#/pattern"),
        (#"{"patternProperties": {"(?=x)": true}}"#, .invalidKeyword, "#/patternProperties/(?=x)"),
        (##"{"$ref": "#/$defs/missing"}"##, .unresolvedReference, "#/$ref"),
        (#"{"$ref": "https://example.com/other.json"}"#, .unresolvedReference, "#/$ref"),
        (#"{"multipleOf": 0}"#, .invalidKeyword, "#/multipleOf"),
        (#"{"type": "text"}"#, .invalidKeyword, "#/type"),
    ])
    func malformedKeywordsAreRejected(schema: String, code: SchemaError.Code, location: String) throws {
        let error = #expect(throws: SchemaError.self) { try JSONSchema(json(schema)) }
        #expect(error?.code == code)
        #expect(error?.location == location)
    }

    @Test func schemasBeyondTheLimitsAreRejected() throws {
        let deep = String(repeating: #"{"not": "#, count: 40) + "true" + String(repeating: "}", count: 40)
        let depthError = #expect(throws: SchemaError.self) {
            try JSONSchema(json(deep), limits: .init(maxDepth: 32))
        }
        #expect(depthError?.code == .limitExceeded)
        let wide = #"{"allOf": ["# + Array(repeating: "true", count: 50).joined(separator: ",") + "]}"
        let sizeError = #expect(throws: SchemaError.self) {
            try JSONSchema(json(wide), limits: .init(maxNodes: 20))
        }
        #expect(sizeError?.code == .limitExceeded)
    }

    @Test func aReferenceCycleThatConsumesNothingIsRejectedNotLooped() throws {
        let schema = try JSONSchema(
            json(##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##)
        )
        let violations = schema.validate(.null)
        #expect(violations.map(\.keyword) == ["$ref"])
        #expect(!schema.isValid(.null))
    }

    @Test func exponentialSchemasStopAtTheStepLimit() throws {
        // Each level tries two branches that fail only at the bottom: 2^40 evaluations without the limit.
        var definitions: [String] = []
        for level in 0..<40 {
            let next = ##"{"$ref": "#/$defs/l\##(level + 1)"}"##
            definitions.append(#""l\#(level)": {"anyOf": [\#(next), \#(next)]}"#)
        }
        definitions.append(#""l40": false"#)
        let text = ##"{"$defs": {\##(definitions.joined(separator: ", "))}, "$ref": "#/$defs/l0"}"##
        let schema = try JSONSchema(json(text), limits: .init(maxEvaluationSteps: 10_000))
        let violations = schema.validate(.null)
        #expect(violations.contains { $0.message.contains("more than 10000 steps") })
        #expect(!schema.isValid(.null))
    }

    @Test func uniqueItemsIsLinearAndComparesNumbersByValue() throws {
        let schema = try JSONSchema(json(#"{"uniqueItems": true}"#))
        let distinct = (0..<50_000).map { JSONValue.number(JSONNumber(Int64($0))) }
        #expect(schema.isValid(.array(distinct)))
        let violations = schema.validate(.array(distinct + [.number(JSONNumber(text: "4.0e1"))]))
        #expect(violations.map(\.instancePath) == ["/50000"])
        #expect(!schema.isValid(try json(#"[{"a": 1, "b": [true]}, {"b": [true], "a": 1.0}]"#)))
        #expect(schema.isValid(try json(#"[{"a": 1}, {"a": "1"}, [1], "1", 1.5]"#)))
    }

    @Test func recursiveSchemasValidateNestedData() throws {
        let schema = try JSONSchema(
            json(##"{"type": "object", "properties": {"child": {"$ref": "#"}, "n": {"type": "integer"}}}"##)
        )
        #expect(schema.isValid(try json(#"{"child": {"child": {"n": 1}}}"#)))
        let violations = schema.validate(try json(#"{"child": {"child": {"n": 1.5}}}"#))
        #expect(violations.map(\.instancePath) == ["/child/child/n"])
    }

    @Test func violationsStopAtTheLimit() throws {
        let schema = try JSONSchema(json(#"{"items": {"type": "string"}}"#), limits: .init(maxViolations: 3))
        let violations = schema.validate(.array(Array(repeating: .null, count: 10)))
        #expect(violations.map(\.instancePath) == ["/0", "/1", "/2"])
    }
}
