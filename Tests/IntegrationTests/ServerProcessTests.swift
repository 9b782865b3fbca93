// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinTesting

/// The harness itself: a server its test drops without terminating it is killed.
struct ServerProcessTests {
    @Test("a server dropped while running is killed, so a failed test leaves none behind")
    func droppedServerIsKilled() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var server: ServerProcess? = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        let pid = try #require(server?.process.processIdentifier)
        #expect(Foundation.kill(pid, 0) == 0, "the server runs")
        server = nil
        // Once killed, the child is a zombie until Foundation reaps it, then gone: either way it no
        // longer runs, as the state in /proc/PID/stat says.
        let ended = try await holds(within: .seconds(60)) {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
                return true
            }
            return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
        }
        #expect(ended, "the dropped server still runs")
    }
}
