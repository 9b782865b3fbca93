// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Who the people behind user names are: team, manager and risk, keyed by user name and e-mail
/// address (both compared ignoring case).
///
/// Read from a CSV file with a header row naming its columns: `user` (required), `email`, `team`,
/// `manager` and `risk` (optional, in any order; other columns are ignored), as HR systems
/// export it. Immutable: a reload builds a new directory.
public struct IdentityDirectory: Sendable {
    /// One person.
    public struct Person: Sendable, Hashable {
        /// The user name.
        public var user: String
        /// The e-mail address, when known.
        public var email: String?
        /// The team, when known.
        public var team: String?
        /// The manager, when known.
        public var manager: String?
        /// The risk rating (free text: `high`, `privileged`, `3`...), when known.
        public var risk: String?

        /// Creates a person; empty strings count as unknown.
        public init(
            user: String,
            email: String? = nil,
            team: String? = nil,
            manager: String? = nil,
            risk: String? = nil
        ) {
            func known(_ text: String?) -> String? {
                text.flatMap { $0.isEmpty ? nil : $0 }
            }
            self.user = user
            self.email = known(email)
            self.team = known(team)
            self.manager = known(manager)
            self.risk = known(risk)
        }

        /// `{"user":…,"team":…,"manager":…,"risk":…}` with the parts that are known.
        public var jsonValue: JSONValue {
            var members: [JSONObject.Member] = [.init(name: "user", value: .string(user))]
            for (name, value) in [("team", team), ("manager", manager), ("risk", risk)] {
                if let value {
                    members.append(.init(name: name, value: .string(value)))
                }
            }
            return .object(JSONObject(members))
        }
    }

    private let people: [Person]
    private let byKey: [String: Int]

    /// The number of people.
    public var count: Int {
        people.count
    }

    /// A directory of no one.
    public static let empty = IdentityDirectory(uniquePeople: [], keys: [:])

    private init(uniquePeople: [Person], keys: [String: Int]) {
        self.people = uniquePeople
        self.byKey = keys
    }

    /// The person whose user name or e-mail address is `name`, ignoring case.
    public func person(named name: String) -> Person? {
        guard !name.isEmpty, let index = byKey[name.lowercased()] else {
            return nil
        }
        return people[index]
    }

    /// Builds a directory of `people`.
    ///
    /// - Throws: ``EnrichmentError`` (`duplicate-name`) when two people share a user name or an
    ///   e-mail address; `file` names the source in it.
    public init(people: [Person], file: String = "identity directory") throws(EnrichmentError) {
        var builder = Builder(file: file)
        for (index, person) in people.enumerated() {
            builder.add(person, line: index + 1)
        }
        self = try builder.build()
    }

    /// Reads a directory CSV file's bytes.
    ///
    /// - Parameters:
    ///   - bytes: The file's content (UTF-8, with a header row).
    ///   - file: The file's path, for diagnostics.
    ///   - maxPeople: The most rows the file may hold.
    /// - Returns: The directory.
    /// - Throws: ``EnrichmentError`` locating every problem by line: a header without `user` or with
    ///   a repeated column, a row without a user name, a repeated user name or e-mail address, a
    ///   malformed quoted field, more than `maxPeople` rows.
    public static func parse(csv bytes: [UInt8], file: String, maxPeople: Int) throws(EnrichmentError) -> Self {
        var records = CSVRecords(bytes)
        guard let header = records.next() else {
            throw EnrichmentError(
                code: records.failure == nil ? .invalidHeader : .invalidEntry,
                file: file,
                line: records.failure?.line ?? 1,
                message: records.failure?.message
                    ?? "the file is empty; the first row names the columns: user,team,manager,risk"
            )
        }
        let columns = try Columns(header: header, file: file)
        var builder = Builder(file: file)
        while let record = records.next() {
            guard builder.count < maxPeople else {
                throw EnrichmentError(
                    code: .limitExceeded,
                    file: file,
                    line: record.line,
                    message: "a directory may hold at most \(maxPeople) people; split the export or remove rows"
                )
            }
            func field(_ index: Int?) -> String? {
                index.flatMap { $0 < record.fields.count ? trimmed(record.fields[$0]) : nil }
            }
            guard let user = field(columns.user), !user.isEmpty else {
                builder.problems.add(
                    .invalidEntry,
                    file: file,
                    line: record.line,
                    message: "the row has no user name (column \(columns.user + 1))"
                )
                continue
            }
            builder.add(
                Person(
                    user: user,
                    email: field(columns.email),
                    team: field(columns.team),
                    manager: field(columns.manager),
                    risk: field(columns.risk)
                ),
                line: record.line
            )
        }
        if let failure = records.failure {
            builder.problems.add(.invalidEntry, file: file, line: failure.line, message: failure.message)
        }
        return try builder.build()
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    /// Where the header puts each column.
    private struct Columns {
        var user: Int
        var email: Int?
        var team: Int?
        var manager: Int?
        var risk: Int?

        init(header: CSVRecords.Record, file: String) throws(EnrichmentError) {
            var found: [String: Int] = [:]
            for (index, name) in header.fields.enumerated() {
                let name = IdentityDirectory.trimmed(name).lowercased()
                guard found[name] == nil else {
                    throw EnrichmentError(
                        code: .invalidHeader,
                        file: file,
                        line: header.line,
                        message: "the header names the column '\(name)' twice"
                    )
                }
                found[name] = index
            }
            guard let user = found["user"] else {
                throw EnrichmentError(
                    code: .invalidHeader,
                    file: file,
                    line: header.line,
                    message:
                        "the first row names the columns and must include 'user' (for example user,email,team,manager,risk)"
                )
            }
            self.user = user
            self.email = found["email"]
            self.team = found["team"]
            self.manager = found["manager"]
            self.risk = found["risk"]
        }
    }

    /// Adds people, refusing repeated keys.
    private struct Builder {
        let file: String
        var people: [Person] = []
        var keys: [String: (index: Int, line: Int)] = [:]
        var problems = EnrichmentError.Collector()

        var count: Int {
            people.count
        }

        init(file: String) {
            self.file = file
        }

        mutating func add(_ person: Person, line: Int) {
            let index = people.count
            var names = [person.user.lowercased()]
            if let email = person.email?.lowercased(), email != names[0] {
                names.append(email)
            }
            for name in names {
                if let first = keys[name] {
                    problems.add(
                        .duplicateName,
                        file: file,
                        line: line,
                        message: "the user name or e-mail address of this row is already on line \(first.line)"
                    )
                    return
                }
            }
            for name in names {
                keys[name] = (index, line)
            }
            people.append(person)
        }

        func build() throws(EnrichmentError) -> IdentityDirectory {
            if let error = problems.error {
                throw error
            }
            return IdentityDirectory(uniquePeople: people, keys: keys.mapValues(\.index))
        }
    }
}
