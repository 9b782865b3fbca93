// SPDX-License-Identifier: Apache-2.0

import FuzzSupport
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinRules

/// The event routed through every table that builds.
private let event: JSONValue = .object(
    JSONObject([
        .init(name: "type", value: .string("ssh.login.failed")),
        .init(name: "source", value: .string("/syslog/bastion-1/sshd")),
        .init(name: "data", value: .object(JSONObject([.init(name: "ip", value: .string("203.0.113.9"))]))),
    ])
)

/// One input: a rules directory, its files separated by NUL bytes (which
/// YAML text cannot contain); the first eight are read.
///
/// The files are read as the server and `tocsin config check` read them; when they hold no
/// problem, the routing table is built and an event is routed through it.
private func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // Eight files are enough to meet every cross-file rule; a directory of thousands would only
    // measure the YAML parser's fixed cost per file.
    let files = FuzzInput(data, size).parts(separatedBy: 0).prefix(8).enumerated().map { index, bytes in
        (name: "rules-\(index).yaml", text: String(decoding: bytes, as: UTF8.self))
    }
    let directory = ConfigDirectory(files: files, kinds: ActionRegistry.targetKinds)
    guard directory.diagnostics.isEmpty,
        let table = try? RoutingTable(rules: directory.rules, targets: directory.targets)
    else {
        return 0
    }
    _ = table.routes(for: event, context: MatchContext())
    return 0
}

/// Runs libFuzzer on ``testOneInput(_:_:)``.
@main
enum FuzzRulesDirectory {
    static func main() {
        FuzzDriver.run(testOneInput)
    }
}
