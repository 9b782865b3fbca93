// SPDX-License-Identifier: Apache-2.0

import FuzzSupport
import TocsinCore

/// One input: the first byte picks the HTTP binding's mode (modulo 3: binary,
/// structured, batch) and the rest is the request.
///
/// In binary mode the rest reads like an HTTP message: `name: value` header lines up to the first
/// empty line, then the body; `Content-Type` is taken from the headers as the server takes it.
/// In structured and batch mode the rest is the body.
///
/// Every event decoded must survive a round trip through its structured JSON.
private func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (selector, rest) = FuzzInput(data, size).selectorAndRest
    let decoder = CloudEventDecoder()
    let events: [CloudEvent]
    switch selector % 3 {
    case 0:
        let (headers, body) = httpMessage(rest)
        let contentType = headers.first { $0.name.lowercased() == "content-type" }?.value
        events = (try? decoder.decode(headers: headers, contentType: contentType, body: body)).map { [$0] } ?? []
    case 1:
        events = (try? decoder.decode(json: JSONParser().parse(rest))).map { [$0] } ?? []
    default:
        events = (try? decoder.decode(batch: JSONParser().parse(rest))) ?? []
    }
    // A binary-mode body may already nest as deep as the limit allows; its structured form adds
    // the envelope's level.
    let envelopeParser = JSONParser(limits: .init(maxDepth: JSONParser.Limits().maxDepth + 1))
    for event in events {
        let structured = event.structuredJSONBytes()
        let text = String(decoding: structured, as: UTF8.self)
        guard let again = try? decoder.decode(json: envelopeParser.parse(structured)) else {
            fatalError("a decoded event's structured JSON does not decode: \(text)")
        }
        precondition(again.jsonValue() == event.jsonValue(), "the structured round trip changed the event: \(text)")
    }
    return 0
}

/// Header lines up to the first empty line (LF or CR LF), each cut at its first colon with the
/// spaces that start the value dropped, and the bytes after the empty line.
private func httpMessage(_ bytes: [UInt8]) -> (headers: [(name: String, value: String)], body: [UInt8]) {
    var headers: [(name: String, value: String)] = []
    var start = 0
    while start < bytes.count {
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        var line = bytes[start..<end]
        if line.last == UInt8(ascii: "\r") {
            line = line.dropLast()
        }
        start = end + 1
        if line.isEmpty {
            break
        }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let value = line[colon...].dropFirst().drop { $0 == UInt8(ascii: " ") }
        headers.append(
            (String(decoding: line[..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self))
        )
    }
    return (headers, start < bytes.count ? Array(bytes[start...]) : [])
}

/// Runs libFuzzer on ``testOneInput(_:_:)``.
@main
enum FuzzCloudEvents {
    static func main() {
        FuzzDriver.run(testOneInput)
    }
}
