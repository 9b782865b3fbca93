// SPDX-License-Identifier: Apache-2.0

import FuzzSupport
import TocsinCore

/// One input: one JSON document.
///
/// Whatever the parser accepts must survive a round trip: written back with ``JSONWriter`` and
/// parsed again, it is the same value.
private func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    for parser in [JSONParser(), JSONParser(limits: .init(maxDepth: 8, allowsDuplicateMembers: true))] {
        guard let value = try? parser.parse(input.bytes) else {
            continue
        }
        let written = JSONWriter().bytes(value)
        guard let again = try? parser.parse(written) else {
            fatalError("the parser refuses what the writer wrote: \(JSONWriter().string(value))")
        }
        precondition(again == value, "the round trip changed the value: \(JSONWriter().string(value))")
    }
    return 0
}

/// Runs libFuzzer on ``testOneInput(_:_:)``.
@main
enum FuzzJSON {
    static func main() {
        FuzzDriver.run(testOneInput)
    }
}
