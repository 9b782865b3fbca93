// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources

/// The identity directory CSV file and its lookups.
struct IdentityDirectoryTests {
    static let export =
        "\u{FEFF}user,email,team,manager,risk\r\n"
        + "alice,Alice@Example.com,Platform,\"Smith, Jane\",high\r\n"
        + "\r\n"
        + "bob,,Finance,,\r\n"
        + "\"carol\",carol@example.com,\"Red \"\"Team\"\"\",\"Doe,\nJohn\",low\r\n"

    func directory(_ text: String, maxPeople: Int = 100) throws -> IdentityDirectory {
        try IdentityDirectory.parse(csv: Array(text.utf8), file: "/hr/people.csv", maxPeople: maxPeople)
    }

    @Test("an HR export: a byte-order mark, CRLF, quoted commas, quotes and line breaks")
    func export() throws {
        let people = try directory(Self.export)
        #expect(people.count == 3)
        let alice = try #require(people.person(named: "alice"))
        #expect(alice.team == "Platform" && alice.manager == "Smith, Jane" && alice.risk == "high")
        #expect(people.person(named: "ALICE@example.COM") == alice, "keyed by e-mail address too, ignoring case")
        #expect(people.person(named: "Bob")?.team == "Finance")
        #expect(people.person(named: "Bob")?.manager == nil, "an empty field is unknown")
        let carol = try #require(people.person(named: "carol"))
        #expect(carol.team == "Red \"Team\"" && carol.manager == "Doe,\nJohn")
        #expect(people.person(named: "dave") == nil && people.person(named: "") == nil)
    }

    @Test("columns in any order; other columns are ignored; only user is required")
    func columns() throws {
        let people = try directory("department,risk,USER\nOps,medium, eve \n")
        #expect(people.person(named: "eve") == IdentityDirectory.Person(user: "eve", risk: "medium"))
    }

    @Test("a person is JSON with the parts that are known")
    func json() {
        let person = IdentityDirectory.Person(user: "bob", email: "bob@example.com", team: "Finance", risk: "")
        #expect(JSONWriter().string(person.jsonValue) == #"{"user":"bob","team":"Finance"}"#)
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let code: EnrichmentError.Code
        let lines: [Int?]
        var testDescription: String { name }
    }

    @Test(
        "problems are located by line and never repeat the row",
        arguments: [
            Broken(name: "empty file", text: "", code: .invalidHeader, lines: [1]),
            Broken(name: "no user column", text: "name,team\nalice,Ops\n", code: .invalidHeader, lines: [1]),
            Broken(name: "a repeated column", text: "user,team,Team\n", code: .invalidHeader, lines: [1]),
            Broken(
                name: "rows without a user and repeated names",
                text: "user,email\nalice,a@example.com\n,x@example.com\nALICE,\nzed,A@example.com\n",
                code: .invalidEntry,
                lines: [3, 4, 5]
            ),
            Broken(
                name: "an unclosed quote",
                text: "user,team\nalice,\"Ops\n\nbob,x\n",
                code: .invalidEntry,
                lines: [2]
            ),
            Broken(
                name: "text after a closing quote",
                text: "user,team\nalice,\"Ops\"x\n",
                code: .invalidEntry,
                lines: [2]
            ),
        ]
    )
    func broken(_ example: Broken) {
        let error = #expect(throws: EnrichmentError.self) { try directory(example.text) }
        #expect(error?.code == example.code)
        #expect(error?.diagnostics.map(\.line) == example.lines)
        #expect(error?.diagnostics.allSatisfy { $0.file == "/hr/people.csv" } == true)
        #expect(error?.description.contains("a@example.com") == false)
    }

    @Test("a directory over its row limit is refused")
    func tooManyPeople() {
        let text = "user\n" + (1...4).map { "user\($0)" }.joined(separator: "\n")
        let error = #expect(throws: EnrichmentError.self) { try directory(text, maxPeople: 3) }
        #expect(error?.code == .limitExceeded && error?.diagnostics.first?.line == 5)
    }
}
