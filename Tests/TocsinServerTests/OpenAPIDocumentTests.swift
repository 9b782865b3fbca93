// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TocsinCore
import TocsinServer

/// `docs/openapi.json` against the server: the embedded copy, the route table, and the open routes.
struct OpenAPIDocumentTests {
    /// The repository's `docs/openapi.json`, found from this file's path.
    static var checkedIn: [UInt8] {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            return Array(try Data(contentsOf: root.appendingPathComponent("docs/openapi.json")))
        }
    }

    /// Every operation of the document as `METHOD path permission` (`-` for an open one).
    static func operations(_ document: JSONValue) throws -> Set<String> {
        guard case .object(let paths)? = document["paths"] else {
            throw DocumentError(description: "the document has no paths object")
        }
        var operations: Set<String> = []
        for path in paths.members {
            guard case .object(let item) = path.value else {
                continue
            }
            for member in item.members where member.name != "parameters" {
                let permission: String
                if case .string(let name)? = member.value["x-tocsin-permission"] {
                    permission = name
                } else {
                    permission = "-"
                }
                operations.insert("\(member.name.uppercased()) \(path.name) \(permission)")
            }
        }
        return operations
    }

    struct DocumentError: Error, CustomStringConvertible {
        let description: String
    }

    @Test("the embedded document is docs/openapi.json byte for byte")
    func embeddedCopy() throws {
        let embedded = Array(OpenAPIDocument.json.utf8)
        let file = try Self.checkedIn
        #expect(embedded == file, "run scripts/embed-openapi.sh: the embedded copy differs from docs/openapi.json")
    }

    @Test("the document's (method, path, permission) set is the server's route table, plus the open routes")
    func routesMatchTheTable() throws {
        let document = try JSONParser().parse(try Self.checkedIn)
        let documented = try Self.operations(document)
        let api = TestAPI().api
        let served = Set(api.routes.table.map { "\($0.method.rawValue) \($0.path) \($0.permission.rawValue)" })
        let open = Set(
            api.router.routes.map(\.path.description).filter { !$0.hasPrefix("/v1") }.map { "GET \($0) -" }
        )
        let routed = served.union(open)
        let missing = routed.subtracting(documented).sorted()
        let extra = documented.subtracting(routed).sorted()
        #expect(missing.isEmpty, "served but not in docs/openapi.json: \(missing.joined(separator: "; "))")
        #expect(extra.isEmpty, "in docs/openapi.json but not served: \(extra.joined(separator: "; "))")
        #expect(served.count == api.routes.table.count)
    }

    @Test("every /v1 operation names its permission and the bearer scheme; open routes need no credential")
    func securityOfEachOperation() throws {
        let document = try JSONParser().parse(try Self.checkedIn)
        #expect(document["openapi"] == .string("3.1.0"))
        #expect(document["components"]?["securitySchemes"]?["bearer"]?["scheme"] == .string("bearer"))
        for operation in try Self.operations(document) {
            let parts = operation.split(separator: " ")
            let isOpen = !parts[1].hasPrefix("/v1")
            #expect(
                (parts[2] == "-") == isOpen,
                "\(operation): every /v1 operation, and only those, names a permission"
            )
        }
    }

    @Test("GET /openapi.json answers the document without a credential")
    func servedOpenly() async throws {
        let test = TestAPI()
        let file = try Self.checkedIn
        try await test.application.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(Array(response.body.readableBytesView) == file)
            }
        }
    }
}
