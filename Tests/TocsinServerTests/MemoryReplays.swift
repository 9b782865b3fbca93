// SPDX-License-Identifier: Apache-2.0

import Synchronization
import TocsinCore
import TocsinServer

/// A replay back end in memory that keeps the requests it accepted, so tests can check what the
/// controller parsed; a request naming the rule `unknown` is refused as the runtime refuses it,
/// and one naming the rule `archived` as if its range reached a tampered archive file.
final class MemoryReplays: ReplayAdministration {
    static let tamperedArchive = "archive-00000000000000000001-00000000000000000010.tocsin-archive"
    let requests = Mutex<[ReplayRequest]>([])

    func start(_ request: ReplayRequest, actor: String) async throws -> JSONValue {
        if request.rules?.contains("unknown") == true {
            throw AdministrationError.invalid(["rules: no rule is named 'unknown'"])
        }
        if request.rules?.contains("archived") == true {
            throw ReplayArchiveUnavailable(file: Self.tamperedArchive, message: "it does not verify")
        }
        let id = requests.withLock {
            $0.append(request)
            return Int64($0.count)
        }
        return Self.status(id: id, request: request)
    }

    func replay(id: Int64) async throws -> JSONValue? {
        let request = requests.withLock { $0.indices.contains(Int(id) - 1) ? $0[Int(id) - 1] : nil }
        return request.map { Self.status(id: id, request: $0) }
    }

    func replays(limit: Int) async throws -> [JSONValue] {
        let all = requests.withLock { $0 }
        return all.enumerated().reversed().prefix(limit).map {
            Self.status(id: Int64($0.offset + 1), request: $0.element)
        }
    }

    static func status(id: Int64, request: ReplayRequest) -> JSONValue {
        .object(
            JSONObject([
                .init(name: "id", value: .number(JSONNumber(id))),
                .init(name: "status", value: .string("running")),
                .init(name: "request", value: request.json),
            ])
        )
    }
}
