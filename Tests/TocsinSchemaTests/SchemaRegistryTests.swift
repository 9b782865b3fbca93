// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSchema

private func json(_ text: String) throws -> JSONValue {
    try JSONParser().parse(text)
}

/// Registration decisions and validation by event type.
struct SchemaRegistryTests {
    @Test func versionsAreNumberedAndTheNewestValidates() throws {
        var registry = SchemaRegistry()
        let first = try registry.prepare(type: "com.example.login", document: json(#"{"type": "object"}"#))
        registry.restore(first)
        let second = try registry.prepare(
            type: "com.example.login",
            document: json(#"{"type": "object", "properties": {"user": {"type": "string"}}}"#),
            compatibility: SchemaCompatibilityMode.none
        )
        registry.restore(second)
        #expect(registry.versions(of: "com.example.login").map(\.version) == [1, 2])
        #expect(registry.version(1, of: "com.example.login")?.compatibility == .backward)
        #expect(registry.latest(of: "com.example.login")?.compatibility == SchemaCompatibilityMode.none)
        let violations = registry.validate(type: "com.example.login", data: try json(#"{"user": 7}"#))
        #expect(violations?.map(\.instancePath) == ["/user"])
        #expect(registry.validate(type: "com.example.other", data: .null) == nil)
        #expect(registry.types == ["com.example.login"])
    }

    @Test func anIncompatibleVersionIsRefusedWithEveryChange() throws {
        var registry = SchemaRegistry()
        registry.restore(try registry.prepare(type: "t", document: json(#"{"properties": {"a": {"type": "string"}}}"#)))
        let error = #expect(throws: SchemaRegistrationError.self) {
            try registry.prepare(
                type: "t",
                document: json(#"{"properties": {"a": {"type": "string"}}, "required": ["a"]}"#)
            )
        }
        #expect(error?.code == .incompatible)
        #expect(error?.changes.map(\.keyword) == ["required"])
        #expect(error?.message.contains("backward") == true)
        #expect(registry.versions(of: "t").count == 1)
    }

    @Test func aBadSchemaOrTypeIsRefused() throws {
        let registry = SchemaRegistry()
        let schemaError = #expect(throws: SchemaRegistrationError.self) {
            try registry.prepare(type: "t", document: json(##"{"$recursiveRef": "#"}"##))
        }
        #expect(schemaError?.code == .invalidSchema)
        #expect(schemaError?.message.contains("#/$recursiveRef") == true)
        let typeError = #expect(throws: SchemaRegistrationError.self) {
            try registry.prepare(type: "has space", document: .bool(true))
        }
        #expect(typeError?.code == .invalidType)
    }
}
