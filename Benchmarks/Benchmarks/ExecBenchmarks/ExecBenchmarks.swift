// SPDX-License-Identifier: Apache-2.0

import Benchmark
import Foundation
import TocsinActions

#if canImport(Glibc)
import Glibc
#endif

/// Exec deliveries: `/bin/true` through `ExecRunner`, and through a bare `posix_spawn`.
///
/// The runner's run includes the working directory, pipes, process group, limits, pidfd and
/// reaping; the difference to the bare `posix_spawn` + `waitpid` of the same program is the
/// runner's overhead per run, and runs per second is the start rate.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 20,
        maxDuration: .seconds(5),
        maxIterations: 2_000
    )
    let scratch = NSTemporaryDirectory() + "tocsin-exec-bench-\(getpid())"
    var options = ExecRunner.Options()
    options.scratchDirectory = scratch
    let runner = ExecRunner(options: options)
    let event = [UInt8](repeating: UInt8(ascii: "x"), count: 1_024)

    Benchmark("ExecRunner /bin/true with a 1 KiB event") { benchmark in
        for _ in benchmark.scaledIterations {
            let result = try await runner.execute(
                command: "/bin/true",
                arguments: [],
                input: event,
                timeout: .seconds(30)
            )
            precondition(result.termination == .exited(0), "/bin/true failed")
            blackHole(result)
        }
    }

    Benchmark("posix_spawn + waitpid /bin/true (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            var pid: pid_t = 0
            let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
            defer { free(arguments[0]) }
            let spawned = posix_spawn(&pid, "/bin/true", nil, nil, arguments, nil)
            precondition(spawned == 0, "posix_spawn failed")
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            blackHole(status)
        }
    }
}
