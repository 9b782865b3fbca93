// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
import TocsinCore
import TocsinTesting

/// Native sources end to end: HTTP bodies, the syslog sockets and `tocsin ingest`, against a real
/// `tocsin serve` on loopback.
struct SourceIngestTests {
    static let failedLogin =
        #"{"eventVersion":"1.05","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/JaneDoe","accountId":"111122223333","userName":"JaneDoe"},"eventTime":"2014-07-08T17:35:27Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-2","sourceIPAddress":"192.0.2.100","errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"},"eventID":"login-1"}"#

    static func apiCall(_ name: String, id: String, ip: String = "198.51.100.1") -> String {
        #"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"\#(name)","sourceIPAddress":"\#(ip)","eventID":"\#(id)","recipientAccountId":"1","awsRegion":"eu-west-1"}"#
    }

    @Test func nativeRecordsAreStoredWithTheirViewAndRoutedOnIt() async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        try await server.define("target", "soc", #"{"kind":"webhook","url":"\#(receiver.url)"}"#)
        try await server.define(
            "rule",
            "failed-console-login",
            #"{"pattern":{"ocsf":{"class_uid":[3002],"status_id":[2],"src_endpoint":{"ip":[{"cidr":"192.0.2.0/24"}]}}},"targets":[{"target":"soc"}]}"#
        )
        let wrapper = #"{"Records":[\#(Self.failedLogin),\#(Self.apiCall("GetObject", id: "get-1"))]}"#
        let gzipped = try systemGzip(Array(wrapper.utf8))
        let answer = try await call(
            server.baseURL + "/v1/sources/cloudtrail",
            method: .POST,
            headers: [server.authorization],
            body: gzipped
        )
        #expect(answer.status == 202)
        #expect(answer.json?.integer("accepted") == 2 && answer.json?.integer("rejected") == 0)
        let firstSequence = try #require(answer.json?.integer("first_seq"))
        let again = try await call(
            server.baseURL + "/v1/sources/cloudtrail",
            method: .POST,
            headers: [server.authorization],
            body: gzipped
        )
        #expect(again.json?.integer("duplicates") == 2 && again.json?.integer("accepted") == 0)
        #expect(await receiver.waitFor { $0.received.count >= 1 })
        // The router records routes in log order: once a later matching record has its delivery,
        // the GetObject record before it has been routed, and it has none.
        let marker = Self.failedLogin.replacingOccurrences(of: #""login-1""#, with: #""login-2""#)
        let later = try await call(
            server.baseURL + "/v1/sources/cloudtrail",
            method: .POST,
            headers: [server.authorization],
            body: Array(marker.utf8)
        )
        let markerSequence = try #require(later.json?.integer("first_seq"))
        let markerDeliveries = try await server.eventually({ try await server.deliveries(event: markerSequence) }) {
            !$0.isEmpty
        }
        #expect(markerDeliveries.count == 1)
        #expect(try await server.deliveries(event: firstSequence).count == 1)
        #expect(
            try await server.deliveries(event: firstSequence + 1).isEmpty,
            "only the failed login from 192.0.2.0/24 matches"
        )
        let stored = try await call(server.baseURL + "/v1/events/\(firstSequence)", headers: [server.authorization])
        #expect(stored.json?["event"]?["type"]?.stringValue == "aws.cloudtrail.signin.ConsoleLogin")
        #expect(stored.json?["ocsf"]?["is_mfa"] == .bool(false))
        #expect(stored.json?["event"]?["data"]?["eventID"]?.stringValue == "login-1", "the native record is the data")

        let mixed = [
            Self.apiCall("PutObject", id: "put-1"), "{\"eventTime\":", Self.apiCall("DeleteObject", id: "del-1"),
        ]
        let partial = try await call(
            server.baseURL + "/v1/sources/cloudtrail",
            method: .POST,
            headers: [server.authorization],
            body: Array(mixed.joined(separator: "\n").utf8)
        )
        #expect(
            partial.status == 202 && partial.json?.integer("accepted") == 2 && partial.json?.integer("rejected") == 1
        )
        #expect(partial.json?["errors"]?.arrayElement(0)?.integer("line") == 2)
        let unknown = try await call(
            server.baseURL + "/v1/sources/nope",
            method: .POST,
            headers: [server.authorization],
            body: [1]
        )
        #expect(unknown.status == 404 && unknown.json?["detail"]?.stringValue?.contains("cloudtrail") == true)
        let broken = try await call(
            server.baseURL + "/v1/sources/cloudtrail",
            method: .POST,
            headers: [server.authorization],
            body: Array(gzipped.prefix(20))
        )
        #expect(broken.status == 400 && broken.json?["type"]?.stringValue == "urn:tocsin:problem:invalid-body")
        #expect(await server.terminate() == 0)
        let verify = try await runTocsin(["audit", "verify", "--data-dir", server.dataDirectory])
        #expect(verify.status == 0, "the OCSF views verify with the chain: \(verify.output)")
    }

    /// Records whose values are not valid in CloudEvents attributes (documentation placeholders,
    /// control characters in names) are stored, served and still pass `tocsin audit verify`.
    @Test func hostileValuesAreStoredAndVerify() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        let bodies: [(String, String)] = [
            (
                "cloudtrail",
                #"{"eventName":"CreateToken","eventSource":"sso.amazonaws.com","recipientAccountId":"<organization master account ID>","userIdentity":{"type":"Unknown","userName":"<victim\u0001name>"},"eventID":"placeholder-1"}"#
            ),
            (
                "github-audit",
                #"{"@timestamp":1700000000000,"action":"repo.create","actor":"x","org":"Acme Corp","_document_id":"d1"}"#
            ),
            (
                "syslog",
                "<38>Nov 25 10:00:00 bastion sshd[42]: Accepted password for ro\tot from 203.0.113.9 port 22 ssh2"
            ),
        ]
        for (format, body) in bodies {
            let answer = try await call(
                server.baseURL + "/v1/sources/\(format)",
                method: .POST,
                headers: [server.authorization],
                body: Array(body.utf8)
            )
            #expect(
                answer.status == 202 && answer.json?.integer("accepted") == 1,
                "\(format): \(String(decoding: answer.body, as: UTF8.self))"
            )
        }
        let stored = try await call(server.baseURL + "/v1/events/1", headers: [server.authorization])
        #expect(
            stored.json?["event"]?["source"]?.stringValue
                == "/aws/cloudtrail/%3Corganization%20master%20account%20ID%3E/-"
        )
        #expect(await server.terminate() == 0)
        let verify = try await runTocsin(["audit", "verify", "--data-dir", server.dataDirectory])
        #expect(verify.status == 0, "\(verify.output)")
    }

    /// `?cluster=` names the Kubernetes cluster in the events' source; it is checked and applies
    /// to `k8s-audit` only.
    @Test func kubernetesEventsNameTheirCluster() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        defer { Task { _ = await server.terminate() } }
        let event =
            #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","stage":"ResponseComplete","verb":"delete","user":{"username":"ci"},"objectRef":{"resource":"secrets"}}"#
        let url = server.baseURL + "/v1/sources/k8s-audit"
        for (query, status) in [("?cluster=prod-eu", 202), ("?cluster=bad/name", 400), ("", 202)] {
            let answer = try await call(
                url + query,
                method: .POST,
                headers: [server.authorization],
                body: Array(event.utf8)
            )
            #expect(answer.status == status, "\(query)")
        }
        let wrongFormat = try await call(
            server.baseURL + "/v1/sources/cloudtrail?cluster=prod-eu",
            method: .POST,
            headers: [server.authorization],
            body: Array("{}".utf8)
        )
        #expect(wrongFormat.status == 400 && wrongFormat.json?["detail"]?.stringValue?.contains("k8s-audit") == true)
        let client = ["--server", server.baseURL, "--key", server.adminKey]
        let fromFile = event.replacingOccurrences(of: "\"a1\"", with: "\"a2\"")
        let cli = try await runTocsin(
            ["ingest", "--format", "k8s-audit", "--cluster", "lab"] + client,
            input: Array(fromFile.utf8)
        )
        #expect(cli.status == 0 && cli.output.contains("accepted 1"), "\(cli.errors)")
        let refused = try await runTocsin(["ingest", "--format", "cloudtrail", "--cluster", "lab"] + client)
        #expect(refused.status != 0 && refused.errors.contains("k8s-audit only"))
        let stored = try await server.events(type: "k8s.audit.delete.secrets")
        #expect(
            stored.compactMap { $0["event"]?["source"]?.stringValue }.sorted()
                == ["/k8s/audit", "/k8s/lab/audit", "/k8s/prod-eu/audit"]
        )
    }

    @Test func syslogOverUDPAndTCPReachesTheLog() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let udpPort = try await SyslogClient.freePort(udp: true)
        let tcpPort = try await SyslogClient.freePort(udp: false)
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--syslog-udp", "127.0.0.1:\(udpPort)", "--syslog-tcp", "127.0.0.1:\(tcpPort)"]
        )
        defer { Task { _ = await server.terminate() } }
        let line = { (n: Int) in
            "<38>Nov 25 10:00:0\(n % 10) bastion sshd[\(n)]: Failed password for root from 203.0.113.\(n) port 22 ssh2"
        }
        try await SyslogClient.sendUDP((1...5).map { Array(line($0).utf8) }, port: udpPort)
        let octetCounted = (6...8).map(line).map { "\($0.utf8.count) \($0)" }.joined()
        let connection = try await SyslogClient.connect(port: tcpPort)
        try await connection.writeAndFlush(
            ByteBuffer(string: octetCounted + line(9) + "\n" + "<999>not syslog\n" + line(10))
        )
        try await connection.close()
        let failed = try await server.eventually(
            { try await server.events(type: "ssh.login.failed") },
            until: { $0.count >= 10 }
        )
        #expect(
            failed.count == 10,
            "5 datagrams, 3 octet-counted and 2 newline-framed messages; the garbage line is refused"
        )
        #expect(failed.contains { $0["event"]?["source"]?.stringValue == "/syslog/bastion/sshd" })
        #expect(failed.allSatisfy { $0["ocsf"]?["src_endpoint"]?["ip"]?.stringValue?.hasPrefix("203.0.113.") == true })
    }

    @Test func ingestCommandCountsGoodDuplicateAndBadRecords() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        defer { Task { _ = await server.terminate() } }
        let lines = [
            Self.apiCall("A", id: "1"), Self.apiCall("B", id: "2"), "not json", Self.apiCall("C", id: "3"),
            #"{"eventName":"X"}"#,
        ]
        let ndjson = directory.path + "/records.ndjson"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: ndjson))
        let wrapped = directory.path + "/trail.json.gz"
        let records = (4...9).map { Self.apiCall("D", id: "\($0)") }.joined(separator: ",")
        try Data(try systemGzip(Array(#"{"Records":[\#(records)]}"#.utf8))).write(to: URL(fileURLWithPath: wrapped))
        let client = ["--server", server.baseURL, "--key", server.adminKey]
        let first = try await runTocsin(
            ["ingest", "--format", "cloudtrail", "--chunk-records", "2"] + client + [ndjson, wrapped]
        )
        #expect(first.status == 1, "refused records make the exit status 1")
        #expect(first.output.contains("accepted 9, duplicates 0, rejected 2"), "\(first.output) \(first.errors)")
        #expect(first.errors.contains("records.ndjson: line 3:"), "\(first.errors)")
        #expect(first.errors.contains("records.ndjson: line 5: $.eventSource"), "\(first.errors)")
        let second = try await runTocsin(["ingest", "--format", "cloudtrail"] + client + [wrapped])
        #expect(second.status == 0 && second.output.contains("accepted 0, duplicates 6, rejected 0"))
        let stdin = try await runTocsin(
            ["ingest", "--format", "syslog"] + client,
            input: Array("<38>Nov 25 10:00:00 h sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2\n".utf8)
        )
        #expect(stdin.status == 0 && stdin.output.contains("accepted 1"))
        #expect(
            try await server.events(type: "ssh.login.succeeded").count == 1,
            "standard input is read from its first byte"
        )
    }
}

extension JSONValue {
    /// The element at `index` when this is an array.
    func arrayElement(_ index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) {
            return elements[index]
        }
        return nil
    }
}
