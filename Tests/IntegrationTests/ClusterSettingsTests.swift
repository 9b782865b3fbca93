// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinTesting

/// `tocsin serve --backend`, `--nats-url`, `--nats-replicas`, `--nats-publish-wait-seconds` and
/// `--node-name` from flags, `TOCSIN_*` variables and the configuration file, as `config check` and
/// `serve` check them (docs/scale-out.md).
struct ClusterSettingsTests {
    #if NATS
    static let builtWithNATS = true
    #else
    static let builtWithNATS = false
    #endif

    @Test("config check names each NATS setting's problem, and passes a valid cluster file")
    func configCheck() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-cluster-config")
        defer { directory.remove() }
        let file = directory.path + "/tocsin.yaml"
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        let password = directory.path + "/nats.password"
        let loose = directory.path + "/loose.password"
        let authority = directory.path + "/nats-ca.pem"
        for (path, mode) in [(password, 0o600), (loose, 0o644), (authority, 0o644)] {
            try "s3cret-nats-password\n".write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }
        let local = "backend: nats\nnats_url: nats://127.0.0.1:4222\n"
        let linked = directory.path + "/linked.password"
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: password)
        let cases: [(yaml: String, problem: String)] = [
            ("backend: nats\n", "--backend nats needs --nats-url"),
            ("backend: postgres\n", "--backend must be 'sqlite' or 'nats'"),
            (
                "nats_url: nats://127.0.0.1:4222\n",
                "--nats-url, --nats-replicas, --nats-publish-wait-seconds, --nats-source-domain and the"
            ),
            (
                "nats_user: tocsin\n",
                "--nats-url, --nats-replicas, --nats-publish-wait-seconds, --nats-source-domain and the"
            ),
            ("backend: nats\nnats_url: http://127.0.0.1:4222\n", "--nats-url entry 1 is not nats://host:port"),
            ("backend: nats\nnats_url: nats://a:4222,nats://b\n", "--nats-url entry 2 is not nats://host:port"),
            (local + "nats_replicas: 7\n", "--nats-replicas must be from 1 to 5"),
            (local + "nats_publish_wait_seconds: 0\n", "--nats-publish-wait-seconds must be from 1 to 60"),
            (local + "node_name: 'a b'\n", "--node-name must be 1 to 63"),
            (
                "nats_source_domain: a\n",
                "--nats-url, --nats-replicas, --nats-publish-wait-seconds, --nats-source-domain and the"
            ),
            (local + "nats_source_domain: 'a,$JS'\n", "--nats-source-domain takes JetStream domain names"),
            (local + "nats_source_domain: 'a,'\n", "--nats-source-domain takes JetStream domain names"),
            (local + "detection_partitions: 0\n", "--detection-partitions must be from 1 to 256"),
            (local + "detection_partitions: 257\n", "--detection-partitions must be from 1 to 256"),
            (
                "detection_partitions: 8\n",
                "--nats-url, --nats-replicas, --nats-publish-wait-seconds, --nats-source-domain and the"
            ),
            ("backend: nats\nnats_url: nats://10.0.0.1:4222\n", "nats://10.0.0.1:4222 is not on loopback and no NATS"),
            (
                "backend: nats\nnats_url: nats://:x@127.0.0.1:4222/@evil.com:4222\n",
                "--nats-url entry 1 is not nats://host:port"
            ),
            ("backend: nats\nnats_url: NATS://10.0.0.5:4222\n", "--nats-url entry 1 is not nats://host:port"),
            (
                local + "nats_user: tocsin\nnats_password_file: \(linked)\n",
                "--nats-password-file: \(linked) is a symbolic link"
            ),
            (local + "nats_user: tocsin\n", "--nats-user and --nats-password-file go together"),
            (
                local + "nats_user: tocsin\nnats_password_file: \(loose)\n",
                "--nats-password-file: \(loose) has mode 644"
            ),
            (
                "backend: nats\nnats_url: nats://10.0.0.1:4222\nnats_user: tocsin\nnats_password_file: \(password)\n",
                "--nats-password-file would send the password in clear to nats://10.0.0.1:4222"
            ),
            (local + "nats_tls_cert: \(authority)\n", "--nats-tls-cert and --nats-tls-key go together"),
            (local + "nats_tls_ca: \(directory.path)/missing.pem\n", "--nats-tls-ca: cannot read"),
            (
                local + "nats_user: tocsin\nnats_password_file: \(password)\nnats_insecure_no_auth: true\n",
                "--nats-insecure-no-auth contradicts the NATS credentials"
            ),
            (
                local + "nats_user: tocsin\nnats_password_file: \(password)\nnats_creds: \(password)\n",
                "give either --nats-user with --nats-password-file or --nats-creds"
            ),
        ]
        for (yaml, problem) in cases {
            try (yaml + "rules_dir: \(rules)\n").write(toFile: file, atomically: true, encoding: .utf8)
            let run = try await runTocsin(["config", "check", "--config", file])
            #expect(run.status == 1, "\(yaml)")
            #expect(run.output.contains("\(file): \(problem)"), "\(yaml): \(run.output)")
            #expect(!(run.output + run.errors).contains("s3cret"), "\(yaml): the password was shown")
        }
        try """
        backend: nats
        nats_url: nats://10.0.0.1:4222, nats://10.0.0.2:4222
        nats_user: tocsin
        nats_password_file: \(password)
        nats_tls_ca: \(authority)
        nats_replicas: 3
        nats_publish_wait_seconds: 8
        nats_source_domain: a, eu-west_1
        detection_partitions: 32
        node_name: tocsin-1
        rules_dir: \(rules)

        """.write(toFile: file, atomically: true, encoding: .utf8)
        let valid = try await runTocsin(["config", "check", "--config", file])
        #expect(!(valid.output + valid.errors).contains("s3cret"), "the password was shown")
        if Self.builtWithNATS {
            #expect(valid.status == 0, "\(valid.output)\(valid.errors)")
        } else {
            #expect(valid.status == 1)
            #expect(valid.output.contains("rebuild it with 'swift build -c release --traits NATS'"), "\(valid.output)")
        }
    }

    @Test("serve refuses NATS settings from flags and TOCSIN_* variables before it opens anything")
    func serveRefuses() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-cluster-serve")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let flag = try await runTocsin(["serve", "--data-dir", data, "--backend", "nats"])
        #expect(flag.status == 64)
        #expect(flag.errors.contains("--backend nats needs --nats-url"), "\(flag.errors)")
        let variable = try await runTocsin(
            ["serve", "--data-dir", data],
            environment: ["TOCSIN_BACKEND": "nats", "TOCSIN_NATS_URL": "nats://127.0.0.1:4222,4223"]
        )
        #expect(variable.status == 64)
        #expect(variable.errors.contains("--nats-url entry 2 is not nats://host:port"), "\(variable.errors)")
        let stray = try await runTocsin(["serve", "--data-dir", data, "--nats-replicas", "3"])
        #expect(stray.status == 64)
        #expect(stray.errors.contains("apply only with --backend nats"), "\(stray.errors)")
        #expect(!FileManager.default.fileExists(atPath: data))
    }

    @Test("serve --backend nats in a build without the trait says how to rebuild", .enabled(if: !builtWithNATS))
    func withoutTrait() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-cluster-trait")
        defer { directory.remove() }
        let run = try await runTocsin([
            "serve", "--data-dir", directory.path + "/data", "--backend", "nats", "--nats-url", "nats://127.0.0.1:4222",
        ])
        #expect(run.status == 64)
        #expect(run.errors.contains("--traits NATS"), "\(run.errors)")
    }
}
