// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Puts a stored record's attributes back into an event without validating them again.
///
/// Ingest validated every event (`CloudEventDecoder`) before the log stored it, and the stored
/// attributes are what `JSONWriter` wrote from that valid event; the readers that follow the log
/// (router, detection, replay) only need the members put back in place. The URI, media-type and
/// string checks are not run again; the shapes are still checked: a value of a kind the writer
/// never produces, a missing required attribute, another spec version or a time that does not
/// parse gives `nil`, and the caller then decodes with the validating decoder, which names the
/// problem. `tocsin audit verify` still validates every record in full.
enum StoredAttributes {
    /// The event whose attributes `value` holds (without data), or `nil` when `value` is not the
    /// shape the writer produces.
    static func event(_ value: JSONValue) -> CloudEvent? {
        guard case .object(let object) = value else {
            return nil
        }
        var event = CloudEvent(id: "", source: "", type: "", specVersion: "")
        var required: UInt8 = 0
        for member in object.members {
            switch member.value {
            case .string(let text):
                switch member.name {
                case "id":
                    event.id = text
                    required |= 1
                case "source":
                    event.source = text
                    required |= 2
                case "specversion":
                    event.specVersion = text
                    required |= 4
                case "type":
                    event.type = text
                    required |= 8
                case "subject": event.subject = text
                case "datacontenttype": event.dataContentType = text
                case "dataschema": event.dataSchema = text
                case "time":
                    guard let time = Timestamp(rfc3339: text) else {
                        return nil
                    }
                    event.time = time
                default: event.extensions[member.name] = .string(text)
                }
            case .bool(let flag) where !isContextAttribute(member.name):
                event.extensions[member.name] = .boolean(flag)
            case .number(let number) where !isContextAttribute(member.name):
                guard let integer = Int32(number.text) else {
                    return nil
                }
                event.extensions[member.name] = .integer(integer)
            default:
                return nil
            }
        }
        guard required == 15, event.specVersion == "1.0" else {
            return nil
        }
        return event
    }

    /// Whether `name` is one of the attributes the specification types as strings.
    private static func isContextAttribute(_ name: String) -> Bool {
        switch name {
        case "id", "source", "specversion", "type", "subject", "datacontenttype", "dataschema", "time": true
        default: false
        }
    }
}
