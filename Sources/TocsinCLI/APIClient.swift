// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
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
            response = try await HTTPClient.cli.execute(request, timeout: timeout)
        } catch {
            throw Failure(description: Self.unreachable(server, error))
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

extension APIClient {
    /// One plain sentence for a request that never got an answer, with the next step.
    static func unreachable(_ server: String, _ error: any Error) -> String {
        let next = "start it with 'tocsin serve', or point to a running one with --server URL or TOCSIN_SERVER"
        switch ConnectionFailure(error) {
        case .refused:
            return "nothing is listening at \(server): \(next)."
        case .timedOut:
            return "\(server) did not answer in time: check that the address is right and the server is running."
        case .unresolved:
            return "cannot find the host of \(server): check the address given with --server or TOCSIN_SERVER."
        case .other(let reason):
            return "cannot reach \(server) (\(reason)): \(next)."
        }
    }
}

extension HTTPClient {
    /// The client of every CLI command: the shared client's settings, except that a refused
    /// connection fails the request at once, so a command with no server to talk to says so
    /// instead of retrying until its deadline.
    static let cli: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}

/// Why a connection to the server failed, in terms a user can act on.
enum ConnectionFailure: Equatable {
    case refused
    case timedOut
    case unresolved
    case other(String)

    init(_ error: any Error) {
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout, .deadlineExceeded, .readTimeout:
                self = .timedOut
            default:
                self = .other("\(clientError)")
            }
            return
        }
        if let ioError = error as? IOError {
            self = ioError.errnoCode == ECONNREFUSED ? .refused : .other(Self.reason(ioError.errnoCode))
            return
        }
        if let connectError = error as? NIOConnectionError {
            if let ioError = connectError.connectionErrors.first?.error as? IOError {
                self = ioError.errnoCode == ECONNREFUSED ? .refused : .other(Self.reason(ioError.errnoCode))
            } else if connectError.connectionErrors.isEmpty {
                self = .unresolved
            } else {
                self = .other("no address of the host accepted a connection")
            }
            return
        }
        if String(describing: error).contains("Connection refused") {
            self = .refused
            return
        }
        self = .other(String(describing: type(of: error)))
    }

    /// A few words for the failure, for a line that goes on to say what happens next.
    var phrase: String {
        switch self {
        case .refused: return "connection refused"
        case .timedOut: return "timed out"
        case .unresolved: return "host not found"
        case .other(let reason): return reason
        }
    }

    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }
}

/// A URL query string (`?a=1&b=2`, or empty) from the pairs whose value is set, percent-encoded.
func queryString(_ pairs: [(String, String?)]) -> String {
    let encoded = pairs.compactMap { name, value in
        value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" }
    }
    return encoded.isEmpty ? "" : "?" + encoded.joined(separator: "&")
}

/// The names of the columns of ``summaryLine(_:)``.
let summaryHeader = ["SEQ", "TIME", "TYPE", "SOURCE", "ID", "SUBJECT"].joined(separator: "  ")

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
