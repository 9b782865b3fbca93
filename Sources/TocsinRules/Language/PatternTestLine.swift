// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// One line of the pattern-test format (the conformance corpus format): an object with `id`,
/// `pattern` and `event`, where a string-valued `pattern` or `event` is raw source text.
///
/// Used by `tocsin pattern test --jsonl` and by the conformance suite.
public enum PatternTestLine: Sendable {
    /// The answer for one line: `{"id":…,"match":true|false}` or `{"id":…,"error":"…"}`.
    public static func evaluate(_ line: [UInt8], limits: PatternLimits = PatternLimits()) -> JSONValue {
        let parsed: JSONValue
        do {
            parsed = try JSONParser(limits: .init(allowsDuplicateMembers: true)).parse(line)
        } catch {
            return answer(id: .null, error: "line is not JSON: \(error.message) (byte \(error.offset))")
        }
        let id = parsed["id"] ?? .null
        guard case .object = parsed, let patternValue = parsed["pattern"] else {
            return answer(id: id, error: "line needs an object with \"pattern\" and \"event\"")
        }
        let pattern: EventPattern
        do {
            pattern = try compile(patternValue, limits: limits)
        } catch {
            return answer(id: id, error: error.description)
        }
        guard let eventValue = parsed["event"] else {
            return answer(id: id, error: "line has no \"event\"")
        }
        let event: JSONValue
        if case .string(let text) = eventValue {
            do {
                event = try JSONParser().parse(text)
            } catch {
                return answer(id: id, error: "event is not JSON: \(error.message) (byte \(error.offset))")
            }
        } else {
            event = eventValue
        }
        return .object(
            JSONObject([.init(name: "id", value: id), .init(name: "match", value: .bool(pattern.matches(event)))])
        )
    }

    /// Compiles a pattern given as a value, or as raw source text when the value is a string.
    public static func compile(
        _ value: JSONValue,
        limits: PatternLimits = PatternLimits()
    ) throws(PatternError) -> EventPattern {
        if case .string(let text) = value {
            return try EventPattern(text: text, limits: limits)
        }
        return try EventPattern(json: value, limits: limits)
    }

    private static func answer(id: JSONValue, error: String) -> JSONValue {
        .object(JSONObject([.init(name: "id", value: id), .init(name: "error", value: .string(error))]))
    }
}
