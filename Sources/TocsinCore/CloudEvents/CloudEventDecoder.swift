// SPDX-License-Identifier: Apache-2.0

#if canImport(FoundationEssentials)
import struct FoundationEssentials.Data
#else
import struct Foundation.Data
#endif

/// Validates and decodes CloudEvents from the JSON format, the JSON batch format and HTTP binary mode.
///
/// Attribute names are checked strictly (`a-z0-9` only), as the conformance suite requires.
public struct CloudEventDecoder: Sendable {
    /// Creates a decoder.
    public init() {}

    /// Decodes one event in the JSON format (structured mode).
    ///
    /// - Throws: ``CloudEventError`` naming the attribute and rule.
    public func decode(json value: JSONValue) throws(CloudEventError) -> CloudEvent {
        try decodeObject(value, path: "")
    }

    /// Decodes a JSON batch: an array of events that all share `specversion`.
    ///
    /// All or nothing.
    ///
    /// - Throws: ``CloudEventError`` whose attribute is prefixed with the element index.
    public func decode(batch value: JSONValue) throws(CloudEventError) -> [CloudEvent] {
        guard case .array(let elements) = value else {
            throw CloudEventError(attribute: "$", rule: .batch, message: "a batch must be a JSON array of events")
        }
        var events: [CloudEvent] = []
        events.reserveCapacity(elements.count)
        for (position, element) in elements.enumerated() {
            let event = try decodeObject(element, path: "[\(position)].")
            if let first = events.first, first.specVersion != event.specVersion {
                throw CloudEventError(
                    attribute: "[\(position)].specversion",
                    rule: .batch,
                    message: "all events in a batch must share one specversion"
                )
            }
            events.append(event)
        }
        return events
    }

    /// Decodes an HTTP binary-mode message: attributes from `ce-*` headers, data from the body.
    ///
    /// - Parameters:
    ///   - headers: All request headers as (name, raw value) pairs; names compare case-insensitively.
    ///   - contentType: The `Content-Type` header, which becomes `datacontenttype`.
    ///   - body: The body bytes, which become the data.
    ///   - parser: Parses the body when the content type is JSON.
    /// - Returns: The validated event.
    /// - Throws: ``CloudEventError`` naming the attribute (or header) and rule.
    public func decode(
        headers: [(name: String, value: String)],
        contentType: String?,
        body: [UInt8],
        parser: JSONParser = JSONParser()
    ) throws(CloudEventError) -> CloudEvent {
        var members: [JSONObject.Member] = []
        for (rawName, rawValue) in headers {
            let lowered = rawName.lowercased()
            guard lowered.hasPrefix("ce-") else {
                continue
            }
            let name = String(lowered.dropFirst(3))
            if name == "datacontenttype" {
                throw CloudEventError(
                    attribute: "ce-datacontenttype",
                    rule: .header,
                    message: "binary mode carries datacontenttype in Content-Type, not in a ce-datacontenttype header"
                )
            }
            guard let value = HeaderValueCodec.decode(rawValue) else {
                throw CloudEventError(
                    attribute: name,
                    rule: .header,
                    message: "header value is not valid percent-encoded UTF-8"
                )
            }
            if members.contains(where: { $0.name == name }) {
                throw CloudEventError(
                    attribute: name,
                    rule: .header,
                    message: "attribute header appears more than once"
                )
            }
            members.append(JSONObject.Member(name: name, value: .string(value)))
        }
        if let contentType {
            members.append(JSONObject.Member(name: "datacontenttype", value: .string(contentType)))
        }
        var event = try decodeAttributes(JSONObject(members), path: "", stringsOnly: true)
        if !body.isEmpty {
            if MediaType.isJSON(contentType ?? "application/json") {
                do {
                    _ = try parser.parse(body)
                } catch {
                    throw CloudEventError(attribute: "data", rule: .body, message: "body is not valid JSON: \(error)")
                }
                event.data = .json(body)
            } else {
                event.data = .binary(body)
            }
        }
        return event
    }

    // MARK: - JSON format

    private func decodeObject(_ value: JSONValue, path: String) throws(CloudEventError) -> CloudEvent {
        guard case .object(let object) = value else {
            throw CloudEventError(
                attribute: path.isEmpty ? "$" : String(path.dropLast()),
                rule: .type,
                message: "an event must be a JSON object, not \(value.typeName)"
            )
        }
        var attributes = object
        let data = attributes["data"]
        let base64 = attributes["data_base64"]
        attributes["data"] = nil
        attributes["data_base64"] = nil
        var event = try decodeAttributes(attributes, path: path, stringsOnly: false)
        switch (data, base64) {
        case (.some, .some(let encoded)) where encoded != .null:
            throw CloudEventError(
                attribute: path + "data_base64",
                rule: .data,
                message: "an event may carry data or data_base64, not both"
            )
        case (_, .some(.string(let encoded))):
            guard let decoded = Data(base64Encoded: encoded) else {
                throw CloudEventError(
                    attribute: path + "data_base64",
                    rule: .data,
                    message: "data_base64 is not valid Base64"
                )
            }
            event.data = .binary(Array(decoded))
        case (_, .some(let other)) where other != .null:
            throw CloudEventError(attribute: path + "data_base64", rule: .type, message: "data_base64 must be a string")
        case (.some(let payload), _):
            if let type = event.dataContentType, !MediaType.isJSON(type),
                case .string(let text) = payload
            {
                event.data = .text(text)
            } else {
                event.data = .json(JSONWriter().bytes(payload))
            }
        default:
            break
        }
        return event
    }

    private func decodeAttributes(
        _ object: JSONObject,
        path: String,
        stringsOnly: Bool
    ) throws(CloudEventError) -> CloudEvent {
        var id: String?
        var source: String?
        var specVersion: String?
        var type: String?
        var event = CloudEvent(id: "", source: "", type: "")
        for member in object.members {
            let name = member.name
            let attribute = path + name
            guard AttributeSyntax.isValidName(name) else {
                throw CloudEventError(
                    attribute: attribute,
                    rule: .name,
                    message: "attribute names use only lower-case letters a-z and digits 0-9, and may not be 'data'"
                )
            }
            if member.value == .null {
                continue
            }
            switch name {
            case "id": id = try requiredString(member.value, attribute)
            case "source":
                let value = try requiredString(member.value, attribute)
                guard AttributeSyntax.isURIReference(value) else {
                    throw CloudEventError(
                        attribute: attribute,
                        rule: .uri,
                        message: "source must be a URI-reference (RFC 3986)"
                    )
                }
                source = value
            case "specversion": specVersion = try requiredString(member.value, attribute)
            case "type": type = try requiredString(member.value, attribute)
            case "subject": event.subject = try requiredString(member.value, attribute)
            case "datacontenttype":
                let value = try requiredString(member.value, attribute)
                guard AttributeSyntax.isMediaType(value) else {
                    throw CloudEventError(
                        attribute: attribute,
                        rule: .mediaType,
                        message: "datacontenttype must be a media type such as 'application/json'"
                    )
                }
                event.dataContentType = value
            case "dataschema":
                let value = try requiredString(member.value, attribute)
                guard AttributeSyntax.isAbsoluteURI(value) else {
                    throw CloudEventError(
                        attribute: attribute,
                        rule: .uri,
                        message: "dataschema must be an absolute URI"
                    )
                }
                event.dataSchema = value
            case "time":
                let value = try requiredString(member.value, attribute)
                guard let time = Timestamp(rfc3339: value) else {
                    throw CloudEventError(
                        attribute: attribute,
                        rule: .rfc3339,
                        message: "time must be an RFC 3339 timestamp such as 2018-04-05T17:31:00Z"
                    )
                }
                event.time = time
            default:
                event.extensions[name] = try extensionValue(member.value, attribute, stringsOnly: stringsOnly)
            }
        }
        guard let specVersion else {
            throw missing(path + "specversion")
        }
        guard specVersion == "1.0" else {
            throw CloudEventError(
                attribute: path + "specversion",
                rule: .specVersion,
                message: "only CloudEvents specversion '1.0' is supported"
            )
        }
        guard let id else {
            throw missing(path + "id")
        }
        guard let source else {
            throw missing(path + "source")
        }
        guard let type else {
            throw missing(path + "type")
        }
        event.id = id
        event.source = source
        event.type = type
        event.specVersion = specVersion
        return event
    }

    private func requiredString(_ value: JSONValue, _ attribute: String) throws(CloudEventError) -> String {
        guard case .string(let text) = value else {
            throw CloudEventError(attribute: attribute, rule: .type, message: "must be a string, not \(value.typeName)")
        }
        guard !text.isEmpty else {
            throw CloudEventError(attribute: attribute, rule: .nonEmpty, message: "must not be empty")
        }
        return try validString(text, attribute)
    }

    private func validString(_ text: String, _ attribute: String) throws(CloudEventError) -> String {
        guard AttributeSyntax.isValidString(text) else {
            throw CloudEventError(
                attribute: attribute,
                rule: .string,
                message: "must not contain control characters or Unicode noncharacters"
            )
        }
        return text
    }

    private func extensionValue(
        _ value: JSONValue,
        _ attribute: String,
        stringsOnly: Bool
    ) throws(CloudEventError) -> ExtensionValue {
        switch value {
        case .string(let text):
            return .string(try validString(text, attribute))
        case .bool(let flag) where !stringsOnly:
            return .boolean(flag)
        case .number(let number) where !stringsOnly:
            guard let integer = Int32(number.text) else {
                throw CloudEventError(
                    attribute: attribute,
                    rule: .integer,
                    message: "numeric attributes must be integers from -2147483648 to 2147483647"
                )
            }
            return .integer(integer)
        default:
            throw CloudEventError(
                attribute: attribute,
                rule: .type,
                message: "extension attributes must be a string, integer or boolean, not \(value.typeName)"
            )
        }
    }

    private func missing(_ attribute: String) -> CloudEventError {
        CloudEventError(attribute: attribute, rule: .required, message: "required attribute is missing or null")
    }
}
