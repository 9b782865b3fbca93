// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TocsinCore
import TocsinSources

/// Posts chunks to `POST /v1/sources/{format}` and reports refused records at their file position.
struct ChunkSender {
    let api: APIClient
    let format: SourceFormat
    /// For `k8s-audit`: the cluster the events come from (checked by the caller).
    let cluster: String?

    func send(_ chunk: RecordChunk, file: String) async throws -> IngestCounts {
        let query = cluster.map { "?cluster=\($0)" } ?? ""
        var request = api.makeRequest("/v1/sources/\(format.rawValue)\(query)", method: .POST)
        request.headers.add(name: "Content-Type", value: format.isText ? "text/plain" : "application/x-ndjson")
        request.body = .bytes(ByteBuffer(bytes: chunk.body))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.cli.execute(request, timeout: .seconds(300))
        } catch {
            throw ValidationError("cannot reach \(api.server): \(error); is 'tocsin serve' running?")
        }
        let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let answer = try? JSONParser().parse(Array(body.readableBytesView))
        var counts = IngestCounts()
        let isAllRejected = answer?["type"]?.stringValue == "urn:tocsin:problem:no-valid-records"
        guard response.status.code == 202 || isAllRejected, let answer else {
            let detail = answer?["detail"]?.stringValue ?? "HTTP \(response.status.code)"
            report("\(file): a chunk was not stored: \(detail)")
            counts.failedChunks = 1
            return counts
        }
        counts.accepted = integer(answer["accepted"])
        counts.duplicates = integer(answer["duplicates"])
        counts.rejected = integer(answer["rejected"])
        if case .array(let errors) = answer["errors"] {
            for error in errors {
                report(
                    "\(file): \(position(error, in: chunk)): \(error["path"]?.stringValue.map { "\($0): " } ?? "")\(error["message"]?.stringValue ?? "refused")"
                )
            }
            if errors.count < counts.rejected {
                report("\(file): \(counts.rejected - errors.count) more refused records in this chunk")
            }
        }
        return counts
    }

    private func position(_ error: JSONValue, in chunk: RecordChunk) -> String {
        // A chunk that is one JSON document reports record indexes only.
        let line = error["line"] == nil ? integer(error["index"]) + 1 : integer(error["line"])
        switch chunk.numbering {
        case .lines(let offset): return "line \(line + offset)"
        case .records(let offset): return "record \(line + offset)"
        }
    }

    private func integer(_ value: JSONValue?) -> Int {
        guard case .number(let number) = value else {
            return 0
        }
        return Int(number.text) ?? 0
    }

    private func report(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
