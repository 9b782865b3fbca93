// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinTesting

/// `scripts/install.sh` into a temporary root, and `deploy/systemd/tocsin.service` through
/// `systemd-analyze` (installed by scripts/ensure-deps.sh).
struct OperatorFilesTests {
    /// Runs `program` with `arguments`; returns its status and its output and errors together.
    private func run(
        _ program: String,
        _ arguments: [String],
        environment: [String: String] = [:]
    ) async throws -> (status: Int32, output: String) {
        let result = try await runProgram(program, arguments, environment: environment)
        return (result.status, result.output + result.errors)
    }

    @Test("install.sh --prefix with DESTDIR installs the binary, completions, unit and configuration")
    func installIntoTemporaryRoot() async throws {
        let root = try TemporaryDirectory(prefix: "tocsin-install")
        defer { root.remove() }
        let result = try await run(
            ConfigFileTests.repository + "/scripts/install.sh",
            ["--prefix", "/opt/tocsin", "--binary", ServerProcess.binary],
            environment: ["DESTDIR": root.path]
        )
        #expect(result.status == 0, "\(result.output)")
        let base = root.path + "/opt/tocsin"
        for path in [
            "/bin/tocsin", "/share/bash-completion/completions/tocsin", "/share/zsh/site-functions/_tocsin",
            "/share/fish/vendor_completions.d/tocsin.fish",
        ] {
            #expect(FileManager.default.fileExists(atPath: base + path), "\(path)")
        }
        #expect(FileManager.default.isExecutableFile(atPath: base + "/bin/tocsin"))
        let bash = try String(contentsOfFile: base + "/share/bash-completion/completions/tocsin", encoding: .utf8)
        #expect(bash.contains("serve") && bash.contains("--config"))
        let unit = try String(contentsOfFile: root.path + "/etc/systemd/system/tocsin.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/opt/tocsin/bin/tocsin serve --config /etc/tocsin/tocsin.yaml"))
        let config = try String(contentsOfFile: root.path + "/etc/tocsin/tocsin.yaml", encoding: .utf8)
        #expect(config == (try String(contentsOfFile: ConfigFileTests.example, encoding: .utf8)))
        #expect(FileManager.default.fileExists(atPath: root.path + "/etc/tocsin/rules"))

        // A second install keeps the operator's edited file and puts the new example beside it.
        try "http: 127.0.0.1:9999\n".write(
            toFile: root.path + "/etc/tocsin/tocsin.yaml",
            atomically: true,
            encoding: .utf8
        )
        let again = try await run(
            ConfigFileTests.repository + "/scripts/install.sh",
            ["--prefix", "/opt/tocsin", "--binary", ServerProcess.binary],
            environment: ["DESTDIR": root.path]
        )
        #expect(again.status == 0, "\(again.output)")
        #expect(
            try String(contentsOfFile: root.path + "/etc/tocsin/tocsin.yaml", encoding: .utf8)
                == "http: 127.0.0.1:9999\n"
        )
        #expect(FileManager.default.fileExists(atPath: root.path + "/etc/tocsin/tocsin.yaml.example"))
    }

    @Test("the systemd unit verifies and its exposure stays at most 2.0")
    func systemdUnit() async throws {
        let result = try await run(
            ConfigFileTests.repository + "/scripts/check-systemd-unit.sh",
            ["--binary", ServerProcess.binary]
        )
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("systemd-analyze security: exposure"))
    }
}
