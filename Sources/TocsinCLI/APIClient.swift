// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TocsinCore

/// A small client of the Tocsin HTTP API used by the CLI.
struct APIClient: Sendable {
    let server: String
    let key: String?

    /// A failed call: the server's problem `detail`, or a connection error.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func makeRequest(_ path: String, method: HTTPMethod = .GET, json: JSONValue? = nil) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: server + path)
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter().bytes(json)))
        }
        if let key {
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
        }
        return request
    }

    /// Sends `request` and returns the parsed JSON body of a 2xx answer.
    ///
    /// - Throws: ``Failure`` with the problem detail for any other status.
    func send(_ request: HTTPClientRequest, timeout: TimeAmount = .seconds(60)) async throws -> JSONValue {
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch {
            throw Failure(description: "cannot reach \(server): \(error); is 'tocsin serve' running?")
        }
        let body = try await response.body.collect(upTo: 256 * 1024 * 1024)
        let value = try? JSONParser(limits: .init(maxBytes: 256 * 1024 * 1024)).parse(Array(body.readableBytesView))
        guard (200..<300).contains(response.status.code) else {
            let detail = value?["detail"]?.stringValue ?? "HTTP \(response.status.code)"
            throw Failure(description: "server answered \(response.status.code): \(detail)")
        }
        if body.readableBytes == 0 {
            return .null
        }
        guard let value else {
            throw Failure(description: "server answered with a body that is not JSON")
        }
        return value
    }
}

/// A URL query string (`?a=1&b=2`, or empty) from the pairs whose value is set, percent-encoded.
func queryString(_ pairs: [(String, String?)]) -> String {
    let encoded = pairs.compactMap { name, value in
        value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" }
    }
    return encoded.isEmpty ? "" : "?" + encoded.joined(separator: "&")
}

/// Renders a logged event as one line of text.
func summaryLine(_ logged: JSONValue) -> String {
    let event = logged["event"]
    let fields = [
        logged["seq"].map { JSONWriter().string($0) } ?? "?",
        event?["time"]?.stringValue ?? logged["ingesttime"]?.stringValue ?? "-",
        event?["type"]?.stringValue ?? "-",
        event?["source"]?.stringValue ?? "-",
        event?["id"]?.stringValue ?? "-",
        event?["subject"]?.stringValue ?? "",
    ]
    return fields.joined(separator: "  ")
}
