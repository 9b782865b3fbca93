// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import NIOCore
import TocsinCore
import TocsinRules

/// `POST /v1/patterns/test`, which answers which of the given events a pattern matches.
///
/// The API twin of `aws events test-event-pattern`. The body is
/// `{"pattern": {…} or "raw text", "events": [{…}, …]}`; send the pattern as a string to use
/// repeated keys, which a JSON object body cannot carry. The answer is
/// `{"matches": [true, false, …], "matching": [0, …]}`, or a 400 problem naming the pattern path.
struct PatternController: Sendable {
    let configuration: ServerConfiguration

    /// The most events one request may test.
    static let maxEvents = 1000

    func test(_ request: Request, context: some RequestContext) async throws -> Response {
        let body = try await RequestBody.collect(
            request,
            limit: configuration.maxBodyBytes
        )
        let parser = JSONParser(limits: configuration.jsonLimits)
        let document: JSONValue
        do {
            document = try body.withUnsafeReadableBytes { try parser.parse(raw: $0) }
        } catch let error as JSONParseError {
            throw Problem.invalidJSON(error)
        }
        guard case .object = document, let patternValue = document["pattern"],
            case .array(let events) = document["events"]
        else {
            throw Self.invalidRequest("send {\"pattern\": {…} or \"pattern text\", \"events\": [{…}, …]}")
        }
        guard events.count <= Self.maxEvents else {
            throw Self.invalidRequest("at most \(Self.maxEvents) events per request; split the list")
        }
        let pattern: EventPattern
        do {
            pattern = try PatternTestLine.compile(patternValue)
        } catch {
            throw Problem.invalidPattern(error)
        }
        let matches = events.map { pattern.matches($0) }
        let matching = matches.indices.filter { matches[$0] }.map { JSONValue.number(JSONNumber(Int64($0))) }
        return JSONResponse.make(
            .ok,
            .object(
                JSONObject([
                    .init(name: "matches", value: .array(matches.map(JSONValue.bool))),
                    .init(name: "matching", value: .array(matching)),
                ])
            )
        )
    }

    private static func invalidRequest(_ detail: String) -> Problem {
        Problem(.badRequest, code: "invalid-request", title: "The request body has the wrong shape", detail: detail)
    }
}

extension Problem {
    /// A 400 naming the pattern path and what would be valid.
    static func invalidPattern(_ error: PatternError) -> Problem {
        Problem(
            .badRequest,
            code: "invalid-pattern",
            title: "The event pattern is not valid",
            detail: error.description,
            extensions: [
                .init(name: "path", value: .string(error.path)),
                .init(name: "reason", value: .string(error.code.rawValue)),
            ]
        )
    }
}
