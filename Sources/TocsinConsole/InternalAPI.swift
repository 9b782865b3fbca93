// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import NIOCore
import TocsinCore
import TocsinServer

/// Calls the `/v1` API in-process with the session's key, so every console read and action passes
/// the same authentication, role check, validation and audit as the same call from curl.
struct InternalAPI: Sendable {
    /// One answer: the status and the JSON body (a problem document on failure).
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var body: JSONValue

        /// Whether the status is 2xx.
        var isSuccess: Bool { (200..<300).contains(status.code) }

        /// The problem's `detail` (a sentence that names no payload value), or the status text.
        var problemText: String {
            body["detail"]?.stringValue ?? body["title"]?.stringValue ?? status.reasonPhrase
        }
    }

    let responder: RouterResponder<TocsinRequestContext>
    let maximumBodyBytes: Int

    /// Sends one request and reads the JSON answer.
    func call(
        _ method: HTTPRequest.Method,
        _ path: String,
        key: String,
        body: JSONValue? = nil,
        context: TocsinRequestContext
    ) async throws -> Answer {
        var fields: HTTPFields = [.authorization: "Bearer \(key)", .accept: "application/json"]
        var requestBody = RequestBody(buffer: ByteBuffer())
        if let body {
            fields[.contentType] = "application/json"
            requestBody = RequestBody(buffer: ByteBuffer(bytes: JSONWriter().bytes(body)))
        }
        let head = HTTPRequest(method: method, scheme: "http", authority: "console", path: path, headerFields: fields)
        var context = context
        context.principal = nil
        let response = try await responder.respond(to: Request(head: head, body: requestBody), context: context)
        let sink = BodySink(limit: maximumBodyBytes)
        try await response.body.write(CollectingWriter(sink: sink))
        let document: JSONValue
        if sink.buffer.readableBytes == 0 {
            document = .null
        } else {
            document = (try? sink.buffer.withUnsafeReadableBytes { try JSONParser().parse(raw: $0) }) ?? .null
        }
        return Answer(status: response.status, body: document)
    }
}

/// Where ``CollectingWriter`` puts the bytes; used by one task only.
private final class BodySink {
    let limit: Int
    var buffer = ByteBuffer()

    init(limit: Int) {
        self.limit = limit
    }
}

/// A response body writer that keeps the bytes (up to a limit) instead of sending them.
private struct CollectingWriter: ResponseBodyWriter {
    let sink: BodySink

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        guard sink.buffer.readableBytes + buffer.readableBytes <= sink.limit else {
            throw ConsoleError.answerTooLarge
        }
        sink.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
