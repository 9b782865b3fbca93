// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinRules

/// The compiled machine and the reference matcher agree on randomly generated patterns and events.
///
/// The vocabulary is small on purpose, so that generated patterns often match generated events and
/// every operator meets every kind of leaf, including arrays of objects.
struct DifferentialTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func machineAgreesWithReference(seed: UInt64) throws {
        var generator = RandomPatterns(seed: seed)
        var rules: [PatternMachine.Rule] = []
        while rules.count < 60 {
            if let pattern = try? EventPattern(json: generator.pattern()) {
                rules.append(.init(name: "r\(rules.count)", pattern: pattern))
            }
        }
        let machine = PatternMachine(rules: rules)
        let context = MatchContext()
        var matches = 0
        for _ in 0..<400 {
            let event = generator.event()
            machine.match(event, context: context)
            let expected = rules.indices.filter { rules[$0].pattern.matches(event) }.map(Int32.init)
            #expect(context.matchedRules == expected, "event \(JSONWriter().string(event))")
            matches += expected.count
        }
        #expect(matches > 100, "the generator should produce matching pairs")
    }
}

/// A seeded generator of patterns and events over a shared vocabulary.
struct RandomPatterns {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15
    }

    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    private mutating func pick<T>(_ items: [T]) -> T {
        items[below(items.count)]
    }

    private let keys = ["a", "b", "c", "d.e", "f"]
    private let strings = [
        "alpha", "Alpha", "ALPHA-beta", "beta", "", "10.0.0.1", "10.1.2.3", "2001:db8::1", "2001:DB8:0:0::1",
        "x*y", "CreateUser", "createuser", "DescribeInstances", "café", "CAFÉ",
    ]
    private let numbers = ["0", "-0", "1", "1.0", "5", "300", "3.0e2", "7.5", "-2", "9007199254740993", "1e400"]

    // MARK: - Events

    mutating func event() -> JSONValue {
        object(depth: 0)
    }

    private mutating func object(depth: Int) -> JSONValue {
        var members: [JSONObject.Member] = []
        for key in keys where below(3) > 0 {
            members.append(.init(name: key, value: value(depth: depth + 1)))
        }
        return .object(JSONObject(members))
    }

    private mutating func value(depth: Int) -> JSONValue {
        switch below(depth >= 3 ? 6 : 9) {
        case 0, 1, 2: .string(pick(strings))
        case 3, 4: .number(JSONNumber(text: pick(numbers)))
        case 5: pick([.bool(true), .bool(false), .null])
        case 6: object(depth: depth)
        case 7: .array((0..<below(4)).map { _ in value(depth: depth + 1) })
        default: .array((0..<below(3) + 1).map { _ in object(depth: depth + 1) })
        }
    }

    // MARK: - Patterns

    mutating func pattern() -> JSONValue {
        var members: [JSONObject.Member] = []
        for key in keys where below(3) == 0 {
            members.append(.init(name: key, value: field(depth: 1)))
        }
        if below(5) == 0 {
            members.append(.init(name: "$or", value: .array([pattern(), pattern()])))
        }
        return .object(JSONObject(members))
    }

    private mutating func field(depth: Int) -> JSONValue {
        if depth < 3, below(4) == 0 {
            return pattern()
        }
        return .array((0..<below(2) + 1).map { _ in matcher() })
    }

    private mutating func matcher() -> JSONValue {
        func op(_ name: String, _ operand: JSONValue) -> JSONValue {
            .object(JSONObject([.init(name: name, value: operand)]))
        }
        let someString = pick(strings)
        let fragment = String(someString.prefix(below(3) + 1))
        switch below(16) {
        case 0, 1: return .string(someString)
        case 2: return .number(JSONNumber(text: pick(numbers)))
        case 3: return pick([.bool(true), .bool(false), .null])
        case 4: return op("prefix", .string(fragment))
        case 5: return op("suffix", .string(String(someString.suffix(2))))
        case 6: return op("equals-ignore-case", .string(someString))
        case 7: return op(pick(["prefix", "suffix"]), op("equals-ignore-case", .string(fragment)))
        case 8: return op("wildcard", .string(pick(["*a*", "A*", "*ta", "10.*", "*", "c*e*r", "x\\*y"])))
        case 9:
            return op(
                "anything-but",
                pick([
                    .string(someString), .number(JSONNumber(text: "5")), .array([.string("alpha"), .string("beta")]),
                ])
            )
        case 10:
            return op(
                "anything-but",
                op(
                    pick(["prefix", "suffix", "equals-ignore-case", "wildcard"]),
                    .string(pick(["al", "ta", "ALPHA", "*e*"]))
                )
            )
        case 11:
            return op(
                "numeric",
                pick([
                    .array([.string(">"), .number(JSONNumber(text: "0"))]),
                    .array([
                        .string(">="), .number(JSONNumber(text: "1")), .string("<"), .number(JSONNumber(text: "300")),
                    ]),
                    .array([.string("="), .number(JSONNumber(text: "300"))]),
                ])
            )
        case 12: return op("cidr", .string(pick(["10.0.0.0/8", "10.1.0.0/16", "2001:db8::/32", "0.0.0.0/0"])))
        case 13, 14: return op("exists", .bool(below(2) == 0))
        default: return .string(fragment)
        }
    }
}
