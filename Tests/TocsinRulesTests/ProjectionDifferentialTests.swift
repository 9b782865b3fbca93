// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinRules

/// An event parsed keeping only the rules' field paths (`JSONParser.parse(_:keeping:)` with
/// `EventPattern.fieldPaths`) matches the same rules as the whole event: what the replay and its
/// match documents rely on.
struct ProjectionDifferentialTests {
    @Test(arguments: [11, 12, 13, 14] as [UInt64])
    func projectedEventsMatchTheSameRules(seed: UInt64) throws {
        var generator = RandomPatterns(seed: seed)
        var rules: [PatternMachine.Rule] = []
        while rules.count < 40 {
            if let pattern = try? EventPattern(json: generator.pattern()) {
                rules.append(.init(name: "r\(rules.count)", pattern: pattern))
            }
        }
        let machine = PatternMachine(rules: rules)
        // A few rules, so that the projection drops members the generated events have.
        let projection = JSONProjection(paths: rules.prefix(3).flatMap(\.pattern.fieldPaths))
        let few = PatternMachine(rules: Array(rules.prefix(3)))
        let all = JSONProjection(paths: rules.flatMap(\.pattern.fieldPaths))
        let context = MatchContext()
        var matches = 0
        var smaller = 0
        for _ in 0..<400 {
            let event = generator.event()
            let bytes = JSONWriter().bytes(event)
            let projected = try JSONParser().parse(bytes, keeping: projection)
            few.match(event, context: context)
            let expected = context.matchedRules
            few.match(projected, context: context)
            #expect(context.matchedRules == expected, "event \(JSONWriter().string(event))")
            matches += expected.count
            if JSONWriter().bytes(projected).count < bytes.count {
                smaller += 1
            }
            machine.match(event, context: context)
            let everyRule = context.matchedRules
            machine.match(try JSONParser().parse(bytes, keeping: all), context: context)
            #expect(context.matchedRules == everyRule, "event \(JSONWriter().string(event))")
            matches += everyRule.count
        }
        #expect(matches > 20, "the generator should produce matching pairs")
        #expect(smaller > 40, "the projection should drop members")
    }
}
