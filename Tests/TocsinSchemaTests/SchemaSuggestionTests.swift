// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSchema

/// Schemas inferred from samples.
struct SchemaSuggestionTests {
    @Test func typesRequiredPropertiesAndFormatsAreInferred() throws {
        let samples = try [
            #"{"id": 1, "at": "2026-11-01T10:00:00Z", "ip": "192.0.2.1", "user": "a@example.com", "tags": ["x"]}"#,
            #"{"id": 2.5, "at": "2026-11-01T10:00:01.5+01:00", "ip": "198.51.100.7", "tags": []}"#,
        ].map { try JSONParser().parse($0) }
        let schema = SchemaSuggestion().suggest(from: samples)
        let expected = try JSONParser().parse(
            #"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {"#
                + #""id": {"type": "number"}, "at": {"type": "string", "format": "date-time"},"#
                + #" "ip": {"type": "string", "format": "ipv4"}, "user": {"type": "string", "format": "email"},"#
                + #" "tags": {"type": "array", "items": {"type": "string"}}}, "required": ["id", "at", "ip", "tags"]}"#
        )
        #expect(schema == expected, "\(JSONWriter().string(schema))")
        let compiled = try JSONSchema(schema)
        for sample in samples {
            #expect(compiled.isValid(sample))
        }
    }

    @Test func theSuggestionHoldsNoSampleValue() throws {
        let sample = try JSONParser().parse(#"{"password": "hunter2", "mixed": "hunter2"}"#)
        let other = try JSONParser().parse(#"{"mixed": 3}"#)
        let text = JSONWriter().string(SchemaSuggestion().suggest(from: [sample, other]))
        #expect(!text.contains("hunter2"))
        #expect(text.contains(#""mixed":{"type":["integer","string"]}"#))
    }

    @Test func noSamplesSuggestTrue() {
        #expect(SchemaSuggestion().suggest(from: []) == .bool(true))
    }
}
