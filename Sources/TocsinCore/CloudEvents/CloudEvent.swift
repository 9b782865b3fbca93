// SPDX-License-Identifier: Apache-2.0

/// A validated CloudEvents 1.0 event: context attributes plus optional data.
///
/// Values of this type are only produced by ``CloudEventDecoder`` (or built by code that obeys the
/// same rules), so holders can rely on every attribute being valid.
public struct CloudEvent: Sendable, Hashable {
    /// `id`: unique within `source`; `source`+`id` identifies the event.
    public var id: String
    /// `source`: a URI-reference naming the context the event happened in.
    public var source: String
    /// `specversion`: always `1.0`.
    public var specVersion: String
    /// `type`: what happened, for example `ssh.login.failed`.
    public var type: String
    /// `datacontenttype`: the media type of ``data``.
    public var dataContentType: String?
    /// `dataschema`: an absolute URI of the schema ``data`` adheres to.
    public var dataSchema: String?
    /// `subject`: what the event is about within `source`.
    public var subject: String?
    /// `time`: when the occurrence happened.
    public var time: Timestamp?
    /// Extension attributes by name (`traceparent`, `partitionkey`, …).
    public var extensions: [String: ExtensionValue]
    /// The event payload, if any.
    public var data: CloudEventData?

    /// Creates an event.
    ///
    /// Callers are responsible for the CloudEvents rules; prefer ``CloudEventDecoder``.
    public init(
        id: String,
        source: String,
        type: String,
        specVersion: String = "1.0",
        dataContentType: String? = nil,
        dataSchema: String? = nil,
        subject: String? = nil,
        time: Timestamp? = nil,
        extensions: [String: ExtensionValue] = [:],
        data: CloudEventData? = nil
    ) {
        self.id = id
        self.source = source
        self.specVersion = specVersion
        self.type = type
        self.dataContentType = dataContentType
        self.dataSchema = dataSchema
        self.subject = subject
        self.time = time
        self.extensions = extensions
        self.data = data
    }

    /// Every context attribute as a JSON object with members sorted by name.
    ///
    /// This is the canonical attribute form: it is what the log stores and hashes.
    public var attributes: JSONObject {
        var members: [JSONObject.Member] = [
            .init(name: "id", value: .string(id)),
            .init(name: "source", value: .string(source)),
            .init(name: "specversion", value: .string(specVersion)),
            .init(name: "type", value: .string(type)),
        ]
        if let dataContentType {
            members.append(.init(name: "datacontenttype", value: .string(dataContentType)))
        }
        if let dataSchema {
            members.append(.init(name: "dataschema", value: .string(dataSchema)))
        }
        if let subject {
            members.append(.init(name: "subject", value: .string(subject)))
        }
        if let time {
            members.append(.init(name: "time", value: .string(time.text)))
        }
        for (name, value) in extensions {
            members.append(.init(name: name, value: value.jsonValue))
        }
        members.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return JSONObject(members)
    }
}

/// The value of an extension attribute, typed as the JSON format infers it.
public enum ExtensionValue: Sendable, Hashable {
    /// A String (or a URI, Timestamp, Binary carried in its canonical string form).
    case string(String)
    /// A signed 32-bit Integer.
    case integer(Int32)
    /// A Boolean.
    case boolean(Bool)

    /// The JSON representation of this value.
    public var jsonValue: JSONValue {
        switch self {
        case .string(let text): return .string(text)
        case .integer(let number): return .number(JSONNumber(Int64(number)))
        case .boolean(let flag): return .bool(flag)
        }
    }

    /// The canonical string form (used for HTTP headers).
    public var canonicalString: String {
        switch self {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .boolean(let flag): return flag ? "true" : "false"
        }
    }
}

/// An event payload, kept losslessly.
public enum CloudEventData: Sendable, Hashable {
    /// JSON text (the `data` member of a JSON-typed event, or a JSON binary-mode body).
    case json([UInt8])
    /// A non-JSON payload carried as a JSON string in `data` (for example XML text).
    case text(String)
    /// Raw bytes (`data_base64`, or a non-JSON binary-mode body).
    case binary([UInt8])
}
