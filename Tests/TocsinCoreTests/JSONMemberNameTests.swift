// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

struct JSONMemberNameTests {
    let parser = JSONParser()

    /// An object of `names` with values 0, 1, …, and where each name starts.
    func object(_ names: [String]) -> (text: String, offsets: [Int]) {
        var text = "{"
        var offsets: [Int] = []
        for (index, name) in names.enumerated() {
            if index > 0 {
                text += ","
            }
            offsets.append(text.utf8.count)
            text += "\"\(name)\":\(index)"
        }
        return (text + "}", offsets)
    }

    @Test(
        "a repeated name is rejected at its offset in objects below, at and past the hash-set threshold",
        arguments: [1, 2, 31, 32, 33, 40, 80]
    )
    func duplicatesAtEveryPosition(_ count: Int) throws {
        // Well-known names (from the parser's table) first, then short and long other names.
        let names = (0..<count).map { index in
            index < 3
                ? ["eventName", "arn", "userIdentity"][index]
                : index % 2 == 0 ? "m\(index)" : "longer-member-name-\(index)"
        }
        let unique = object(names)
        let parsed = try parser.parse(unique.text)
        guard case .object(let members) = parsed else {
            Issue.record("expected an object")
            return
        }
        #expect(members.members.map(\.name) == names)
        for repeated in names.indices {
            let document = object(names + [names[repeated]])
            #expect {
                try parser.parse(document.text)
            } throws: { error in
                let error = error as? JSONParseError
                return error?.code == .duplicateMember && error?.offset == document.offsets.last
            }
        }
    }

    @Test(
        "a name spelled with escapes is the same name",
        arguments: [
            #"{"arn":1,"\u0061rn":2}"#, #"{"\u0061rn":1,"arn":2}"#, #"{"zq":1,"z\u0071":2}"#,
            #"{"sourceIPAddress":1,"sourceIPAddr\u0065ss":2}"#, #"{"a\/b":1,"a/b":2}"#,
            #"{"é":1,"\u00e9":2}"#,
        ]
    )
    func escapedDuplicates(_ text: String) {
        #expect {
            try parser.parse(text)
        } throws: { error in
            (error as? JSONParseError)?.code == .duplicateMember
        }
    }

    @Test("an object of 100,000 members keeps them all in order, and a repeat at the end is found")
    func wideObject() throws {
        let names = (0..<100_000).map { "k\($0)" }
        let parsed = try parser.parse(object(names).text)
        guard case .object(let members) = parsed else {
            Issue.record("expected an object")
            return
        }
        #expect(members.count == 100_000)
        #expect(members.members.map(\.name) == names)
        #expect(throws: JSONParseError.self) { try parser.parse(object(names + ["k0"]).text) }
    }

    @Test("repeated names are kept when the limits allow them")
    func duplicatesAllowed() throws {
        let lenient = JSONParser(limits: .init(allowsDuplicateMembers: true))
        let names = (0..<40).map { "n\($0 % 20)" }
        guard case .object(let members) = try lenient.parse(object(names).text) else {
            Issue.record("expected an object")
            return
        }
        #expect(members.members.map(\.name) == names)
    }

    @Test("names that share a table name's length and first and last eight bytes stay distinct")
    func lookalikeNames() throws {
        let text = #"{"requestReceivedTimestamp":1,"requestReXeivedTimestamp":2,"id":3}"#
        guard case .object(let members) = try parser.parse(text) else {
            Issue.record("expected an object")
            return
        }
        #expect(members.members.map(\.name) == ["requestReceivedTimestamp", "requestReXeivedTimestamp", "id"])
    }
}
