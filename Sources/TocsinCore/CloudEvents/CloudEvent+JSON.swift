// SPDX-License-Identifier: Apache-2.0

#if canImport(FoundationEssentials)
import struct FoundationEssentials.Data
#else
import struct Foundation.Data
#endif

extension CloudEvent {
    /// The event in the CloudEvents JSON format: attributes plus `data` or `data_base64`.
    ///
    /// - Parameter parser: Re-reads stored JSON data so it is embedded as a value, not a string.
    /// - Returns: The JSON object of the event.
    public func jsonValue(parser: JSONParser = JSONParser()) -> JSONValue {
        var object = attributes
        switch data {
        case .json(let bytes):
            object.members.append(.init(name: "data", value: (try? parser.parse(bytes)) ?? .null))
        case .text(let text):
            object.members.append(.init(name: "data", value: .string(text)))
        case .binary(let bytes):
            object.members.append(.init(name: "data_base64", value: .string(Data(bytes).base64EncodedString())))
        case nil:
            break
        }
        return .object(object)
    }

    /// The same document as ``jsonValue(parser:)`` as bytes, with JSON data copied verbatim
    /// instead of parsed and re-written (what a webhook body needs, at a fraction of the cost).
    public func structuredJSONBytes() -> [UInt8] {
        guard case .json(let bytes) = data else {
            return JSONWriter().bytes(jsonValue())
        }
        var output = JSONWriter().bytes(.object(attributes))
        output.removeLast()
        output += Array(#","data":"#.utf8)
        output += bytes
        output.append(UInt8(ascii: "}"))
        return output
    }
}
