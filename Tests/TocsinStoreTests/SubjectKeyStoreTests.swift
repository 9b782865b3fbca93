// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import GRDB
import Logging
import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

/// The subject key file: keys are made once, survive a restart, and an erasure removes the key's
/// bytes from the file for good.
struct SubjectKeyStoreTests {
    static func fileBytes(_ directory: TemporaryDirectory) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        for name in names where name.hasPrefix(SubjectKeyStore.fileName) {
            bytes += Array(try Data(contentsOf: URL(fileURLWithPath: directory.path + "/" + name)))
        }
        return bytes
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else {
            return false
        }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    @Test("a subject's key is made once, kept across a reopen, and never names the subject")
    func keysPersist() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SubjectKeyStore.open(dataDirectory: directory.path, logger: Logger(label: "test"))
        let first = try store.key(forSubject: "alice@example.com", now: 1)
        let again = try store.key(forSubject: "alice@example.com", now: 2)
        let bob = try store.key(forSubject: "bob@example.com", now: 3)
        #expect(first.keyID == again.keyID)
        #expect(first.keyID.count == FieldEnvelope.keyIDLength)
        #expect(first.keyID != bob.keyID)
        let key = try #require(first.key)
        #expect(again.key == key)
        #expect(bob.key != key)

        let reopened = try SubjectKeyStore.open(dataDirectory: directory.path, logger: Logger(label: "test"))
        #expect(reopened.keyID(forSubject: "alice@example.com") == first.keyID)
        #expect(try reopened.key(forKeyID: first.keyID) == key)
        let bytes = try Self.fileBytes(directory)
        #expect(!Self.contains(bytes, Array("alice@example.com".utf8)))
        #expect(!Self.contains(bytes, key.withUnsafeBytes { Array($0) }), "keys are stored wrapped")
        var status = stat()
        #expect(stat(directory.path + "/" + SubjectKeyStore.fileName, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
    }

    @Test("erasure destroys the key, its bytes leave the file, the subject stays erased, and a repeat changes nothing")
    func erasure() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SubjectKeyStore.open(dataDirectory: directory.path, logger: Logger(label: "test"))
        let alice = try store.key(forSubject: "alice@example.com", now: 1)
        _ = try store.key(forSubject: "bob@example.com", now: 1)
        let path = directory.path + "/" + SubjectKeyStore.fileName
        let wrapped = try DatabaseQueue(path: path).read { db in
            try Data.fetchOne(db, sql: "SELECT wrapped FROM subject_key WHERE key_id = ?", arguments: [alice.keyID])
        }
        let wrappedBytes = Array(try #require(wrapped))
        #expect(Self.contains(try Self.fileBytes(directory), wrappedBytes), "the wrapped key is in the file first")

        let erasure = try store.erase(subject: "alice@example.com", now: 2)
        #expect(erasure == .init(keyID: alice.keyID, destroyedKey: true, wasErased: false))
        #expect(try store.key(forKeyID: alice.keyID) == nil)
        #expect(try store.key(forSubject: "alice@example.com", now: 3).key == nil, "no new key for an erased subject")
        #expect(!Self.contains(try Self.fileBytes(directory), wrappedBytes), "the key's bytes are gone from the file")

        let reopened = try SubjectKeyStore.open(dataDirectory: directory.path, logger: Logger(label: "test"))
        #expect(try reopened.key(forKeyID: alice.keyID) == nil)
        #expect(try reopened.key(forSubject: "bob@example.com", now: 4).key != nil, "other subjects keep their keys")
        #expect(
            try reopened.erase(subject: "alice@example.com", now: 5)
                == .init(keyID: alice.keyID, destroyedKey: false, wasErased: true)
        )
    }

    @Test("a master key readable by others is refused")
    func masterKeyPermissions() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try SubjectKeyStore.open(dataDirectory: directory.path, logger: Logger(label: "test"))
        let path = directory.path + "/" + SubjectKeyStore.masterKeyName
        #expect(chmod(path, 0o644) == 0)
        #expect(throws: StoreError.self) {
            try SubjectKeyStore.open(dataDirectory: directory.path, logger: Logger(label: "test"))
        }
    }
}
