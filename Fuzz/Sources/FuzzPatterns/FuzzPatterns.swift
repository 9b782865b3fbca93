// SPDX-License-Identifier: Apache-2.0

import FuzzSupport
import TocsinCore
import TocsinRules

/// One input: lines; the last is an event, the ones before it (at most
/// eight) are event patterns.
///
/// Each pattern is compiled; the ones that compile go into one ``PatternMachine``, and the machine
/// must name exactly the rules whose reference matcher (``EventPattern/matches(_:)``) says yes.
/// Any disagreement stops the run.
private func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let lines = FuzzInput(data, size).parts(separatedBy: UInt8(ascii: "\n"))
    guard let eventLine = lines.last else {
        return 0
    }
    var rules: [PatternMachine.Rule] = []
    for line in lines.dropLast().prefix(8) {
        if let pattern = try? EventPattern(bytes: line) {
            rules.append(PatternMachine.Rule(name: "r\(rules.count)", pattern: pattern))
        }
    }
    guard !rules.isEmpty, let event = try? JSONParser().parse(eventLine) else {
        return 0
    }
    let machine = PatternMachine(rules: rules)
    let context = MatchContext()
    machine.match(event, context: context)
    let expected = rules.indices.filter { rules[$0].pattern.matches(event) }.map(Int32.init)
    precondition(
        context.matchedRules == expected,
        "the machine matched rules \(context.matchedRules), the reference matcher \(expected)"
    )
    return 0
}

/// Runs libFuzzer on ``testOneInput(_:_:)``.
@main
enum FuzzPatterns {
    static func main() {
        FuzzDriver.run(testOneInput)
    }
}
