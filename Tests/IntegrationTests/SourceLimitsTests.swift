// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// `POST /v1/sources/{format}` under hostile bodies: a gzip bomb, a flood of one-byte lines (the
/// measured attack), a dense JSON document and a flood of refused records are answered with a
/// clear problem or a bounded result, the server's memory stays bounded, and it keeps serving.
struct SourceLimitsTests {
    /// `copies` gzip members of `piece` back to back: one stream to gunzip, a few KiB to send.
    static func members(_ piece: String, copies: Int) throws -> [UInt8] {
        let member = try systemGzip(Array(piece.utf8))
        return Array([[UInt8]](repeating: member, count: copies).joined())
    }

    /// The server's peak resident set (`VmHWM`) in bytes.
    static func peakResidentBytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        return kilobytes * 1024
    }

    @Test(.timeLimit(.minutes(5))) func hostileBodiesAreRefusedWithBoundedMemory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        defer { Task { _ = await server.terminate() } }
        func post(_ format: String, _ body: [UInt8]) async throws -> HTTPAnswer {
            try await call(
                server.baseURL + "/v1/sources/\(format)",
                method: .POST,
                headers: [server.authorization],
                body: body,
                timeout: .seconds(120)
            )
        }
        // 1 GiB of zeros in about 1 MB.
        let zeros = try Self.members(String(repeating: "\0", count: 1 << 20), copies: 1024)
        let bomb = try await post("syslog", zeros)
        #expect(bomb.status == 413 && bomb.json?["type"]?.stringValue == "urn:tocsin:problem:decompressed-too-large")
        #expect(bomb.json?.integer("limit") == 256 << 20)
        #expect(bomb.json?["detail"]?.stringValue?.contains("split") == true)

        // The measured attack: 256 MiB of one-byte lines in about 256 KiB.
        let flood = try Self.members(String(repeating: "a\n", count: 1 << 19), copies: 256)
        #expect(flood.count < 512 * 1024)
        let lines = try await post("syslog", flood)
        #expect(lines.status == 413 && lines.json?["type"]?.stringValue == "urn:tocsin:problem:too-many-records")
        #expect(lines.json?.integer("limit") == 100_000)

        // Parsed, each `{"a":0}` would cost hundreds of bytes: refused before parsing.
        let dense =
            try Self.members("[", copies: 1) + Self.members(String(repeating: #"{"a":0},"#, count: 100_000), copies: 30)
            + Self.members(#"{"a":0}]"#, copies: 1)
        let document = try await post("github-audit", dense)
        #expect(
            document.status == 413 && document.json?["type"]?.stringValue == "urn:tocsin:problem:document-too-large"
        )

        // 100,000 refused lines: all counted, 100 listed.
        let garbage = try await post(
            "syslog",
            try systemGzip(Array(String(repeating: "<999>x\n", count: 100_000).utf8))
        )
        #expect(garbage.status == 400 && garbage.json?.integer("rejected") == 100_000)
        if case .array(let errors)? = garbage.json?["errors"] {
            #expect(errors.count == 100)
        } else {
            Issue.record("no errors listed")
        }

        // Still serving, and odd values are stored.
        let line =
            "<38>Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user  from 5.188.10.180 port 38926 ssh2"
        let follow = try await post("syslog", Array(line.utf8))
        #expect(
            follow.status == 202 && follow.json?.integer("accepted") == 1,
            "\(String(decoding: follow.body, as: UTF8.self))"
        )
        let ingest = try await runTocsin(
            ["ingest", "--format", "syslog", "--server", server.baseURL, "--key", server.adminKey],
            input: Array(line.replacingOccurrences(of: "24200", with: "24201").utf8)
        )
        #expect(ingest.status == 0 && ingest.output.contains("accepted 1"), "\(ingest.output) \(ingest.errors)")
        let peak = try Self.peakResidentBytes(server.process.processIdentifier)
        #expect(peak < 512 << 20, "peak resident \(peak >> 20) MiB")
        print("source limits: peak resident set of the server \(peak >> 20) MiB")
    }

    /// SIGTERM during a large ingest: the request stops between chunks with `503 shutting-down`,
    /// what was appended stays (and verifies), and the server exits cleanly.
    @Test(.timeLimit(.minutes(5))) func shutdownStopsALargeIngestBetweenChunks() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        let body = try systemGzip(Array(Self.lines(100_000).joined(separator: "\n").utf8))
        let request = Task {
            try await call(
                server.baseURL + "/v1/sources/syslog",
                method: .POST,
                headers: [server.authorization],
                body: body,
                timeout: .seconds(240)
            )
        }
        // The first chunk is stored: the request is between chunks with many left to read.
        let first = try await server.eventually(
            { try await call(server.baseURL + "/v1/events?limit=1", headers: [server.authorization]) },
            until: { $0.json?["events"]?.arrayElement(0) != nil }
        )
        #expect(first.status == 200)
        #expect(await server.terminate() == 0)
        let answer = try await request.value
        #expect(answer.status == 503 && answer.json?["type"]?.stringValue == "urn:tocsin:problem:shutting-down")
        #expect(answer.json?["detail"]?.stringValue?.contains("resend") == true)
        let verify = try await runTocsin(["audit", "verify", "--data-dir", server.dataDirectory])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(!verify.output.contains("100000 records"), "the ingest stopped before its end: \(verify.output)")
    }

    static func lines(_ count: Int) -> [String] {
        (0..<count).map {
            "<38>Nov 25 10:00:00 bastion sshd[\($0)]: Failed password for root from 203.0.113.9 port 22 ssh2"
        }
    }

    /// A body at the limits is read a chunk at a time and stored whole.
    @Test(.timeLimit(.minutes(5))) func aLargeValidBodyIsStoredInChunks() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        defer { Task { _ = await server.terminate() } }
        let lines = Self.lines(100_000)
        let answer = try await call(
            server.baseURL + "/v1/sources/syslog",
            method: .POST,
            headers: [server.authorization],
            body: try systemGzip(Array(lines.joined(separator: "\n").utf8)),
            timeout: .seconds(240)
        )
        #expect(answer.status == 202 && answer.json?.integer("accepted") == 100_000)
        // Checkpoints signed during the ingest are announced by records between the lines.
        let last = try #require(answer.json?.integer("last_seq"))
        let announcements = try await server.events(type: "tocsin.checkpoint.signed").filter {
            ($0.integer("seq") ?? .max) < last
        }
        #expect(last == 100_000 + Int64(announcements.count), "one record per line, no gap")
        let peak = try Self.peakResidentBytes(server.process.processIdentifier)
        #expect(peak < 512 << 20, "peak resident \(peak >> 20) MiB")
        print("source limits: 100,000 lines, peak resident set of the server \(peak >> 20) MiB")
    }
}
