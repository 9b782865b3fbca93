// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinRuntime

/// The `tocsin serve` options for responses: how exec targets run programs and which private
/// networks webhook-style targets may reach (docs/delivery.md, "Exec" and "Outbound network policy").
struct ResponseOptions: ParsableArguments {
    @Option(
        name: .customLong("allow-target-network"),
        help: ArgumentHelp(
            "Let webhook-style targets reach this CIDR block or address although it is loopback, link-local, private or unique-local; repeat for several (env TOCSIN_ALLOW_TARGET_NETWORK, comma-separated; default none).",
            valueName: "cidr"
        )
    )
    var allowTargetNetwork: [String] = []

    @Option(
        name: .customLong("exec-env"),
        help: ArgumentHelp(
            "Pass NAME=VALUE, or NAME with the server's own value, to exec programs; repeat for several (programs get PATH=/usr/bin:/bin and nothing else by default).",
            valueName: "name[=value]"
        )
    )
    var execEnvironment: [String] = []

    @Option(
        name: .customLong("exec-cpu-seconds"),
        help: "CPU seconds an exec program may use; 0 for no limit (env TOCSIN_EXEC_CPU_SECONDS; default 60)."
    )
    var execCPUSeconds: Int?

    @Option(
        name: .customLong("exec-memory-mb"),
        help: "Address space of an exec program in MiB; 0 for no limit (env TOCSIN_EXEC_MEMORY_MB; default 2048)."
    )
    var execMemoryMegabytes: Int?

    @Option(
        name: .customLong("exec-open-files"),
        help: "Open files of an exec program; 0 for no limit (env TOCSIN_EXEC_OPEN_FILES; default 256)."
    )
    var execOpenFiles: Int?

    @Option(
        name: .customLong("exec-output-bytes"),
        help:
            "Bytes of an exec program's output (and of its errors) kept (env TOCSIN_EXEC_OUTPUT_BYTES; default 65536)."
    )
    var execOutputBytes: Int?

    /// Sets the exec options and the allowed target networks of `configuration`.
    func apply(to configuration: inout RuntimeConfiguration, settings: ServeSettings) throws {
        let networks = settings.list(.allowTargetNetwork, allowTargetNetwork)
        configuration.allowedTargetNetworks = try networks.map(Self.network)
        for entry in settings.list(.execEnvironment, execEnvironment) {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard !name.isEmpty, !name.contains("=") else {
                throw ValidationError("--exec-env must be NAME=VALUE or NAME, e.g. --exec-env HTTPS_PROXY")
            }
            if parts.count == 2 {
                configuration.exec.environment[name] = String(parts[1])
            } else if let value = ProcessInfo.processInfo.environment[name] {
                configuration.exec.environment[name] = value
            }
        }
        let limits: [(ServeSetting, Int?, Int64, (inout RuntimeConfiguration, Int?) -> Void)] = [
            (.execCPUSeconds, execCPUSeconds, 86_400, { $0.exec.limits.cpuSeconds = $1 }),
            (.execMemoryMegabytes, execMemoryMegabytes, 1 << 20, { $0.exec.limits.memoryBytes = $1.map { $0 << 20 } }),
            (.execOpenFiles, execOpenFiles, 1 << 20, { $0.exec.limits.openFiles = $1 }),
        ]
        for (setting, option, maximum, set) in limits {
            guard let value = try settings.integer(setting, option) else {
                continue
            }
            guard (0...maximum).contains(value) else {
                throw ValidationError("\(setting.flag) must be from 0 (no limit) to \(maximum)")
            }
            set(&configuration, value == 0 ? nil : Int(value))
        }
        if let bytes = try settings.integer(.execOutputBytes, execOutputBytes).map(Int.init) {
            guard (0...(64 << 20)).contains(bytes) else {
                throw ValidationError("--exec-output-bytes must be from 0 to 67108864")
            }
            configuration.exec.maxOutputBytes = bytes
        }
    }

    private static func network(_ text: String) throws -> IPRange {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let address = IPAddress.parse(trimmed) {
            return IPRange(address: address)
        }
        switch IPRange.parseCIDR(trimmed, allowsSingleAddress: true) {
        case .success(let range): return range
        case .failure(let problem):
            throw ValidationError("--allow-target-network \(trimmed): \(problem.message)")
        }
    }
}
