// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

struct CloudEventDecoderTests {
    let decoder = CloudEventDecoder()

    func decode(_ text: String) throws -> CloudEvent {
        try decoder.decode(json: try JSONParser().parse(text))
    }

    func error(_ text: String) -> CloudEventError? {
        do {
            _ = try decode(text)
            return nil
        } catch let error as CloudEventError {
            return error
        } catch {
            return nil
        }
    }

    @Test("errors name the attribute and the rule")
    func namesAttributeAndRule() {
        let base = #""specversion":"1.0","id":"1","source":"/s","type":"t""#
        #expect(error("{\(base),\"time\":\"lunchtime\"}")?.attribute == "time")
        #expect(error("{\(base),\"time\":\"lunchtime\"}")?.rule == .rfc3339)
        #expect(error(#"{"specversion":"1.0","source":"/s","type":"t"}"#)?.rule == .required)
        #expect(error("{\(base),\"Bad\":\"x\"}")?.rule == .name)
        #expect(error("{\(base),\"n\":1.5}")?.rule == .integer)
        #expect(error("{\(base),\"n\":{}}")?.rule == .type)
        #expect(error("{\(base),\"subject\":\"\"}")?.rule == .nonEmpty)
        #expect(error("{\(base),\"subject\":\"a\\u0007b\"}")?.rule == .string)
        #expect(error("{\(base),\"dataschema\":\"relative/path\"}")?.rule == .uri)
        #expect(error("{\(base),\"datacontenttype\":\"xyz\"}")?.rule == .mediaType)
        #expect(error("{\(base),\"data\":1,\"data_base64\":\"AA==\"}")?.rule == .data)
        #expect(error(#"{"specversion":"1.0","id":"1","source":"a b","type":"t"}"#)?.rule == .uri)
    }

    @Test("error messages do not echo values")
    func redacted() {
        let problem = error(#"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"secret-value"}"#)
        #expect(problem?.description.contains("secret-value") == false)
    }

    @Test("data kinds: JSON value, text for non-JSON types, bytes for data_base64")
    func dataKinds() throws {
        let base = #""specversion":"1.0","id":"1","source":"/s","type":"t""#
        #expect(try decode("{\(base),\"data\":{\"a\":1e2}}").data == .json(Array(#"{"a":1e2}"#.utf8)))
        #expect(try decode("{\(base),\"datacontenttype\":\"text/xml\",\"data\":\"<a/>\"}").data == .text("<a/>"))
        #expect(try decode("{\(base),\"data_base64\":\"AAEC\"}").data == .binary([0, 1, 2]))
        #expect(try decode("{\(base),\"subject\":null}").subject == nil)
    }

    @Test("extensions keep their JSON types, including traceparent")
    func extensions() throws {
        let event = try decode(
            #"{"specversion":"1.0","id":"1","source":"/s","type":"t","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01","n":7,"b":true}"#
        )
        #expect(event.extensions["n"] == .integer(7))
        #expect(event.extensions["b"] == .boolean(true))
        #expect(event.extensions["traceparent"] == .string("00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01"))
    }

    @Test("batch: all or nothing, one specversion, index in the error")
    func batch() throws {
        let good = #"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#
        #expect(try decoder.decode(batch: JSONParser().parse("[\(good),\(good)]")).count == 2)
        do {
            _ = try decoder.decode(batch: JSONParser().parse(#"[\#(good),{"specversion":"1.0","id":"2","type":"t"}]"#))
            Issue.record("expected rejection")
        } catch {
            #expect((error as? CloudEventError)?.attribute == "[1].source")
        }
        #expect(throws: CloudEventError.self) { try decoder.decode(batch: JSONParser().parse(good)) }
    }

    @Test("binary mode: ce- headers, case-insensitive names, percent-decoding, data from the body")
    func binaryMode() throws {
        let event = try decoder.decode(
            headers: [
                ("CE-SpecVersion", "1.0"), ("ce-id", "1"), ("ce-source", "/ssh/bastion-1"),
                ("ce-type", "ssh.login.failed"),
                ("ce-subject", "Euro%20%E2%82%AC%20%F0%9F%98%80"), ("ce-partitionkey", "\"quoted\""), ("Accept", "x"),
            ],
            contentType: "application/json",
            body: Array(#"{"user":"root"}"#.utf8)
        )
        #expect(event.subject == "Euro € 😀")
        #expect(event.extensions["partitionkey"] == .string("quoted"))
        #expect(event.dataContentType == "application/json")
        #expect(event.data == .json(Array(#"{"user":"root"}"#.utf8)))
        #expect(HeaderValueCodec.encode("Euro € 😀") == "Euro%20%E2%82%AC%20%F0%9F%98%80")
    }

    @Test("binary mode rejects overlong percent-encoded UTF-8, ce-datacontenttype and bad JSON bodies")
    func binaryRejections() {
        let required = [("ce-specversion", "1.0"), ("ce-id", "1"), ("ce-source", "/s"), ("ce-type", "t")]
        #expect(throws: CloudEventError.self) {
            try decoder.decode(headers: required + [("ce-subject", "%C0%A0")], contentType: nil, body: [])
        }
        #expect(throws: CloudEventError.self) {
            try decoder.decode(headers: required + [("ce-datacontenttype", "a/b")], contentType: nil, body: [])
        }
        #expect(throws: CloudEventError.self) {
            try decoder.decode(headers: required, contentType: "application/json", body: Array("{".utf8))
        }
        #expect(throws: CloudEventError.self) {
            try decoder.decode(headers: Array(required.dropFirst()), contentType: nil, body: [])
        }
    }
}

struct MediaTypeTests {
    @Test("essence drops parameters, spaces and case; degenerate values give an empty essence")
    func essence() {
        #expect(MediaType.essence("Application/CloudEvents+JSON; charset=utf-8") == "application/cloudevents+json")
        #expect(MediaType.essence(" text/plain ") == "text/plain")
        #expect(MediaType.essence("") == "")
        #expect(MediaType.essence(";") == "")
        #expect(MediaType.isJSON("application/vnd.api+json"))
        #expect(!MediaType.isJSON("text/xml"))
    }
}
