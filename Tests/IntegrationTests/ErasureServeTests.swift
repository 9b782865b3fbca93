// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// `tocsin serve --personal-data` and `tocsin erase`: personal fields never reach the database
/// files, the WAL or the log in clear; reads show them until the subject is erased and
/// `"[erased]"` after; the chain still verifies.
struct ErasureServeTests {
    static let policy = """
        personal_data:
          - source: /hr
            subject: $.data.user.email
            fields:
              - $.data.user.name
              - $.data.phone
        """
    static let alice = ["alice@example.com", "Alice Liddell", "+15550100001"]
    static let bob = ["bob@example.com", "Bob Marley", "+15550100002"]

    static func publish(_ server: ServerProcess, id: String, person: [String]) async throws -> Int64 {
        let event =
            #"{"specversion":"1.0","id":"\#(id)","source":"/hr","type":"user.changed","#
            + #""data":{"user":{"email":"\#(person[0])","name":"\#(person[1])","team":"blue"},"phone":"\#(person[2])"}}"#
        let answer = try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: [server.authorization, ("content-type", "application/cloudevents+json")],
            body: Array(event.utf8)
        )
        return try #require(answer.json?.integer("seq"), "publish answered \(answer.status)")
    }

    static func data(_ server: ServerProcess, _ sequence: Int64) async throws -> JSONValue? {
        try await call(server.baseURL + "/v1/events/\(sequence)", headers: [server.authorization]).json?["event"]?[
            "data"
        ]
    }

    /// Every file of the data directory (database, WAL, shared memory, key files) and the server's log.
    static func rawBytes(_ server: ServerProcess) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let directory = server.dataDirectory
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                bytes += Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            }
        }
        return bytes + Array(try Data(contentsOf: URL(fileURLWithPath: directory + ".log")))
    }

    static func found(_ texts: [String], in bytes: [UInt8]) -> [String] {
        texts.filter { text in
            let needle = Array(text.utf8)
            return (0...(bytes.count - needle.count)).contains { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
        }
    }

    @Test(.timeLimit(.minutes(3))) func eraseShredsTheSubjectAndTheChainVerifies() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let policy = directory.path + "/personal.yaml"
        try Data(Self.policy.utf8).write(to: URL(fileURLWithPath: policy))
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--personal-data", policy]
        )
        let first = try await Self.publish(server, id: "a1", person: Self.alice)
        let second = try await Self.publish(server, id: "a2", person: Self.alice)
        let other = try await Self.publish(server, id: "b1", person: Self.bob)

        // Reads decrypt; the files hold only ciphertext (the WAL included: the server is running).
        let shown = try #require(try await Self.data(server, first))
        #expect(shown["user"]?["email"]?.stringValue == Self.alice[0])
        #expect(shown["user"]?["name"]?.stringValue == Self.alice[1])
        #expect(shown["phone"]?.stringValue == Self.alice[2])
        #expect(shown["user"]?["team"]?.stringValue == "blue")
        #expect(Self.found(Self.alice + Self.bob, in: try Self.rawBytes(server)).isEmpty)

        let erase = ["erase", "--subject", Self.alice[0], "--server", server.baseURL, "--key", server.adminKey]
        let erased = try await runTocsin(erase + ["--output", "json"])
        #expect(erased.status == 0, "\(erased.errors)")
        let receipt = try JSONParser().parse(erased.output.trimmingCharacters(in: .whitespacesAndNewlines))
        let keyID = try #require(receipt["key_id"]?.stringValue)
        #expect(receipt["destroyed_key"] == .bool(true))
        #expect(receipt["already_erased"] == .bool(false))

        for sequence in [first, second] {
            let after = try #require(try await Self.data(server, sequence))
            #expect(after["user"]?["email"]?.stringValue == FieldEnvelope.erasedMarker)
            #expect(after["user"]?["name"]?.stringValue == FieldEnvelope.erasedMarker)
            #expect(after["phone"]?.stringValue == FieldEnvelope.erasedMarker)
            #expect(after["user"]?["team"]?.stringValue == "blue", "fields not declared personal stay")
        }
        #expect(try await Self.data(server, other)?["user"]?["name"]?.stringValue == Self.bob[1])

        // Erasing again is idempotent: the same event, nothing new.
        let again = try await runTocsin(erase)
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.output.hasPrefix("already erased: key \(keyID)"), "\(again.output)")
        let events = try await server.events(type: "tocsin.subject.erased")
        #expect(events.count == 1)
        #expect(events.first?["event"]?["data"]?["key_id"]?.stringValue == keyID)
        #expect(receipt["seq"] == events.first?["seq"])

        // A later event about the erased subject is stored as [erased], never in clear.
        let late = try await Self.publish(server, id: "a3", person: Self.alice)
        #expect(try await Self.data(server, late)?["user"]?["name"]?.stringValue == FieldEnvelope.erasedMarker)

        #expect(await server.terminate() == 0)
        #expect(Self.found(Self.alice + Self.bob, in: try Self.rawBytes(server)).isEmpty)
        let verify = try await runTocsin(["audit", "verify", "--data-dir", server.dataDirectory])
        #expect(verify.status == 0, "the chain covers the ciphertext: \(verify.output) \(verify.errors)")
    }

    @Test("rules match the plaintext of sealed fields and targets receive it, while the files hold only ciphertext")
    func routingSeesThePlaintext() async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let policy = directory.path + "/personal.yaml"
        try Data(Self.policy.utf8).write(to: URL(fileURLWithPath: policy))
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--personal-data", policy]
        )
        defer { Task { _ = await server.terminate() } }
        try await server.define("target", "hook", #"{"kind":"webhook","url":"\#(receiver.url)"}"#)
        try await server.define(
            "rule",
            "alice",
            #"{"pattern":{"data":{"user":{"email":["\#(Self.alice[0])"]}}},"targets":[{"target":"hook"}]}"#
        )
        _ = try await Self.publish(server, id: "r1", person: Self.bob)
        _ = try await Self.publish(server, id: "r2", person: Self.alice)
        #expect(await receiver.waitFor { $0.received.count == 1 })
        let delivered = String(decoding: receiver.received.first?.body ?? [], as: UTF8.self)
        #expect(delivered.contains(Self.alice[1]), "the target gets the plaintext name")
        #expect(!delivered.contains(Self.bob[0]), "the rule matched only alice's event")
        // The rule itself names alice's address (the operator wrote it); nothing else is in clear.
        #expect(Self.found(Array(Self.alice.dropFirst()) + Self.bob, in: try Self.rawBytes(server)).isEmpty)
    }

    /// A CloudTrail record through `POST /v1/sources/cloudtrail`: the record, the `subject` attribute
    /// and the OCSF view all carry the user; every copy is declared, so none is stored in clear.
    static let cloudTrailPolicy = """
        personal_data:
          - type: "aws.cloudtrail.*"
            subject: $.data.userIdentity.userName
            fields:
              - $.data.userIdentity.arn
              - $.data.sourceIPAddress
              - $.subject
              - $.ocsf.actor.user.uid
              - $.ocsf.actor.user.name
              - $.ocsf.user.uid
              - $.ocsf.user.name
              - $.ocsf.src_endpoint.ip
        """

    @Test(.timeLimit(.minutes(3))) func nativeRecordsAreSealedInTheirViewToo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let policy = directory.path + "/personal.yaml"
        try Data(Self.cloudTrailPolicy.utf8).write(to: URL(fileURLWithPath: policy))
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--personal-data", policy]
        )
        let record =
            #"{"eventVersion":"1.05","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/JaneDoe","#
            + #""accountId":"111122223333","userName":"JaneDoe"},"eventTime":"2014-07-08T17:35:27Z","#
            + #""eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-2","#
            + #""sourceIPAddress":"192.0.2.100","responseElements":{"ConsoleLogin":"Failure"},"eventID":"login-1"}"#
        let answer = try await call(
            server.baseURL + "/v1/sources/cloudtrail",
            method: .POST,
            headers: [server.authorization, ("content-type", "application/json")],
            body: Array(record.utf8)
        )
        let sequence = try #require(answer.json?.integer("first_seq"), "ingest answered \(answer.status)")
        let personal = ["JaneDoe", "192.0.2.100"]
        #expect(Self.found(personal, in: try Self.rawBytes(server)).isEmpty)
        let shown = try await call(server.baseURL + "/v1/events/\(sequence)", headers: [server.authorization]).json
        #expect(shown?["ocsf"]?["actor"]?["user"]?["name"]?.stringValue == "JaneDoe")
        #expect(shown?["event"]?["subject"]?.stringValue == "arn:aws:iam::111122223333:user/JaneDoe")

        let erased = try await runTocsin(
            ["erase", "--subject", "JaneDoe", "--server", server.baseURL, "--key", server.adminKey]
        )
        #expect(erased.status == 0, "\(erased.errors)")
        let after = try await call(server.baseURL + "/v1/events/\(sequence)", headers: [server.authorization]).json
        #expect(after?["ocsf"]?["src_endpoint"]?["ip"]?.stringValue == FieldEnvelope.erasedMarker)
        #expect(after?["event"]?["subject"]?.stringValue == FieldEnvelope.erasedMarker)
        #expect(after?["event"]?["data"]?["userIdentity"]?["accountId"]?.stringValue == "111122223333")

        #expect(await server.terminate() == 0)
        #expect(Self.found(personal, in: try Self.rawBytes(server)).isEmpty)
        let verify = try await runTocsin(["audit", "verify", "--data-dir", server.dataDirectory])
        #expect(verify.status == 0, "\(verify.output) \(verify.errors)")
    }

    @Test(.timeLimit(.minutes(3))) func aBrokenPersonalDataFileStopsTheServerWithItsLocation() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let policy = directory.path + "/personal.yaml"
        try Data("personal_data:\n  - subject: $.id\n".utf8).write(to: URL(fileURLWithPath: policy))
        let run = try await runTocsin(
            ["serve", "--data-dir", directory.path + "/data", "--http", "127.0.0.1:0", "--personal-data", policy]
        )
        #expect(run.status != 0)
        #expect(run.errors.contains(policy + ":2:"), "\(run.errors)")
    }
}
