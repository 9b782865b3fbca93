// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinTesting

/// The harness learns of a child's exit from the kernel, not from Foundation's exit socket, which
/// any process that inherits it holds open.
struct ChildExitTests {
    /// Runs `script` with `/bin/sh` and returns the process.
    private func shell(_ script: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        return process
    }

    @Test("a child that exits is seen to exit while another process still holds Foundation's exit socket")
    func exitSeenDespiteAnInheritedSocket() async throws {
        // The background `sleep` inherits every descriptor of the shell, Foundation's socket included,
        // as a process spawned at the same moment by another test can.
        let process = try shell("sleep 600 & echo $! > /dev/null; exit 3")
        let exit = await process.exit(within: .seconds(60))
        #expect(exit == ChildExit(status: 3, bySignal: false))
        #expect(process.isRunning, "Foundation still waits for the socket; if not, this test no longer shows the race")
        // The sleeping grandchild is in the shell's process group.
        kill(-process.processIdentifier, SIGKILL)
    }

    @Test("an exit by a signal says so; a running child has no exit")
    func signalsAndRunningChildren() async throws {
        let process = try shell("exec sleep 600")
        #expect(process.exitIfEnded == nil)
        kill(process.processIdentifier, SIGKILL)
        #expect(await process.exit(within: .seconds(60)) == ChildExit(status: SIGKILL, bySignal: true))
    }
}
