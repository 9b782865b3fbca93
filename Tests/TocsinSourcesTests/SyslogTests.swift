// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinSources

/// Syslog framing (RFC 3164 and 5424) and the sshd, PAM and sudo lines normalised to OCSF.
///
/// The lines are written for these tests in the shapes the log-format specification lists.
struct SyslogTests {
    /// 2026-11-25T12:00:00Z, the collector's clock.
    let reference: Int64 = 1_795_608_000_000
    var parser: SyslogParser { SyslogParser(referenceMilliseconds: reference) }
    var normalizer: SyslogNormalizer { SyslogNormalizer(referenceMilliseconds: reference) }

    @Test func bsdFraming() throws {
        let message = try parser.parse(
            "<38>Nov  5 09:03:07 bastion-1 sshd[4242]: Accepted publickey for alice from 203.0.113.9 port 50522 ssh2"
        )
        #expect(message.format == .rfc3164)
        #expect(message.facility == 4 && message.severity == 6)
        #expect(message.time?.text == "2026-11-05T09:03:07.000Z")
        #expect(message.hostname == "bastion-1" && message.appName == "sshd" && message.processID == "4242")
        #expect(message.message == "Accepted publickey for alice from 203.0.113.9 port 50522 ssh2")

        let noPRI = try parser.parse("Nov 25 10:21:43  sshd[1332]: last message repeated 2 times")
        #expect(noPRI.facility == nil && noPRI.hostname == nil && noPRI.appName == "sshd")
        let noPID = try parser.parse(
            "Nov 25 10:21:43 host sudo: alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls"
        )
        #expect(noPID.appName == "sudo" && noPID.processID == nil)
        let noTag = try parser.parse("<13>Feb  5 17:32:18 10.0.0.99 Use the BSD Syslog Protocol")
        #expect(noTag.hostname == "10.0.0.99" && noTag.appName == nil && noTag.message == "Use the BSD Syslog Protocol")
        let noHeader = try parser.parse("<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: text")
        #expect(noHeader.appName == nil, "a header that does not parse leaves the rest as the message")
        let december = try parser.parse("Dec 31 23:59:59 host cron[1]: x")
        #expect(december.time?.text == "2025-12-31T23:59:59.000Z", "a time more than a day ahead is last year's")
        let rollover = try SyslogParser(referenceMilliseconds: 1_767_398_400_000).parse(
            "Dec 31 23:59:59 host cron[1]: x"
        )
        #expect(
            rollover.time?.text == "2025-12-31T23:59:59.000Z",
            "a December line read on 3 January 2026 is from 2025"
        )
    }

    @Test func rfc5424Framing() throws {
        let message = try parser.parse(
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\\]\"] \u{FEFF}An application event"
        )
        #expect(message.format == .rfc5424)
        #expect(message.facility == 20 && message.severity == 5)
        #expect(message.time?.text == "2003-10-11T22:14:15.003Z")
        #expect(
            message.hostname == "mymachine.example.com" && message.appName == "evntslog" && message.processID == nil
        )
        #expect(message.messageID == "ID47")
        #expect(message.structuredData == "[exampleSDID@32473 iut=\"3\" eventSource=\"App\\]\"]")
        #expect(message.message == "An application event", "the BOM is removed")
        let nil5424 = try parser.parse("<86>1 - - sshd 77 - - Failed password for root from 2001:db8::7 port 22 ssh2")
        #expect(nil5424.time == nil && nil5424.hostname == nil && nil5424.appName == "sshd")
    }

    /// A TIMESTAMP is a value, not framing: one that cannot be read gives a message without a time.
    @Test func unreadableTimestampGivesNoTime() throws {
        let message = try parser.parse("<34>1 yesterday host app - - - msg")
        #expect(message.time == nil && message.timeText == "yesterday" && message.hostname == "host")
    }

    @Test func malformedLinesGiveALocatedError() {
        for (line, offset) in [
            ("", 0), ("<999>Nov  5 09:03:07 h a: b", 0), ("<13", 0),
            ("<34>1 2003-10-11T22:14:15Z host app - - [unclosed", 40),
        ] {
            #expect {
                try parser.parse(line)
            } throws: { error in
                (error as? SourceError)?.offset == offset
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let line: String
        let type: String
        let user: String?
        let ocsf: [String: String]
        var testDescription: String { type }
    }

    static let cases: [Case] = [
        Case(
            line:
                "Nov  5 09:03:07 bastion-1 sshd[4242]: Accepted publickey for alice from 203.0.113.9 port 50522 ssh2: ED25519 SHA256:abc",
            type: "ssh.login.succeeded",
            user: "alice",
            ocsf: [
                "class_uid": "3002", "activity_id": "1", "status_id": "1", "src_endpoint.ip": "203.0.113.9",
                "src_endpoint.port": "50522", "auth_protocol": "publickey", "user.name": "alice",
                "dst_endpoint.hostname": "bastion-1",
            ]
        ),
        Case(
            line:
                "Nov  5 09:03:07 bastion-1 sshd[4242]: Failed password for invalid user admin from 198.51.100.23 port 40022 ssh2",
            type: "ssh.login.failed",
            user: "admin",
            ocsf: [
                "class_uid": "3002", "status_id": "2", "status": "Failure", "src_endpoint.ip": "198.51.100.23",
                "auth_protocol": "password",
            ]
        ),
        Case(
            line: "Nov  5 09:03:07 bastion-1 sshd[4242]: Failed password for root from 2001:db8::7 port 22 ssh2",
            type: "ssh.login.failed",
            user: "root",
            ocsf: ["src_endpoint.ip": "2001:db8::7", "severity_id": "3"]
        ),
        Case(
            line: "Nov  5 09:03:07 bastion-1 sshd[4242]: Invalid user oracle from 198.51.100.23 port 40022",
            type: "ssh.login.invalid_user",
            user: "oracle",
            ocsf: ["status_id": "2", "status_detail": "invalid user", "src_endpoint.port": "40022"]
        ),
        Case(
            line:
                "Nov  5 09:03:07 bastion-1 sshd[4242]: Connection closed by authenticating user root 198.51.100.23 port 40022 [preauth]",
            type: "ssh.connection.closed",
            user: "root",
            ocsf: ["class_uid": "4007", "activity_id": "2", "status_detail": "before authentication"]
        ),
        Case(
            line:
                "Nov  5 09:03:07 bastion-1 sshd[4242]: Received disconnect from 198.51.100.23 port 40022:11: Bye Bye [preauth]",
            type: "ssh.session.disconnected",
            user: nil,
            ocsf: ["src_endpoint.ip": "198.51.100.23", "src_endpoint.port": "40022"]
        ),
        Case(
            line:
                "Nov  5 09:03:07 bastion-1 sshd[4242]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=scanner.example.net  user=root",
            type: "ssh.pam.auth_failed",
            user: "root",
            ocsf: ["src_endpoint.hostname": "scanner.example.net", "status_id": "2"]
        ),
        Case(
            line: "Nov  5 09:03:07 bastion-1 sshd[4242]: pam_unix(sshd:session): session closed for user alice",
            type: "ssh.session.closed",
            user: "alice",
            ocsf: ["activity_id": "2", "activity_name": "Logoff"]
        ),
        Case(
            line:
                "Nov  5 09:03:07 bastion-1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx",
            type: "sudo.command",
            user: "alice",
            ocsf: ["class_uid": "3003", "status_id": "1", "unmapped.command": "/usr/bin/systemctl restart nginx"]
        ),
        Case(
            line:
                "Nov  5 09:03:07 bastion-1 sudo: mallory : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh",
            type: "sudo.denied",
            user: "mallory",
            ocsf: ["status_id": "2", "status_detail": "3 incorrect password attempts"]
        ),
    ]

    @Test(arguments: cases)
    func authenticationLines(_ testCase: Case) throws {
        let record = try normalizer.normalize(testCase.line)
        #expect(record.event.type == testCase.type)
        #expect(record.event.subject == testCase.user)
        #expect(record.event.source == "/syslog/bastion-1/\(testCase.line.contains("sudo:") ? "sudo" : "sshd")")
        #expect(record.event.data == .text(testCase.line), "the native line is kept unchanged")
        let ocsf = try #require(record.ocsf)
        for (path, expected) in testCase.ocsf {
            var value: JSONValue? = ocsf
            for key in path.split(separator: ".") {
                value = value?[String(key)]
            }
            let text = value.map { value -> String in
                if case .string(let string) = value { return string }
                return JSONWriter().string(value)
            }
            #expect(text == expected, "\(path)")
        }
        // The same header as every other source's view.
        #expect(ocsf["category_name"] != nil && ocsf["severity"] != nil && ocsf["time_dt"] != nil)
        #expect(ocsf["metadata"]?["log_name"] == .string("syslog"))
    }

    @Test func otherLinesAreKeptWithoutAnOCSFView() throws {
        let record = try normalizer.normalize(
            "Nov  5 09:03:07 host CRON[99]: pam_unix(cron:session): session opened for user root"
        )
        #expect(record.event.type == "syslog.message" && record.ocsf == nil)
        #expect(record.event.source == "/syslog/host/CRON")
    }

    @Test func idsAreStableAcrossReIngestion() throws {
        let line = "Nov  5 09:03:07 bastion-1 sshd[4242]: Failed password for root from 203.0.113.9 port 1 ssh2"
        let first = try normalizer.normalize(line).event.id
        #expect(try SyslogNormalizer(referenceMilliseconds: reference + 60_000).normalize(line).event.id == first)
        #expect(try normalizer.normalize(line.replacingOccurrences(of: "port 1 ", with: "port 2 ")).event.id != first)
        #expect(first.count == 32)
        let pinned = "Nov  5 09:03:07 bastion-1 sshd[4242]: Failed password for root from 203.0.113.9 port 22 ssh2"
        #expect(
            try normalizer.normalize(pinned).event.id == "767fdf6312344aeac41d3c16cc3707b5",
            "SHA-256 over host, time text, program, pid (each NUL-terminated) and message; a change re-ingests old files"
        )
    }
}
