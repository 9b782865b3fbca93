// SPDX-License-Identifier: Apache-2.0

/// Serialises ``JSONValue`` to compact JSON text, writing numbers with their original text.
///
/// Output is deterministic: the same value always gives the same bytes (members in stored order,
/// no whitespace, minimal escaping), which is what the hash chain relies on.
public struct JSONWriter: Sendable {
    /// Creates a writer.
    public init() {}

    /// Returns the compact UTF-8 encoding of `value`.
    public func bytes(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, to: &output)
        return output
    }

    /// Returns the compact encoding of `value` as a `String`.
    public func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// Appends the compact encoding of `value` to `output`.
    public func write(_ value: JSONValue, to output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): output.append(contentsOf: number.text.utf8)
        case .string(let text): writeString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            // Indexing reads each element in place; `for in` would copy (retain and release) it.
            var index = 0
            while index < elements.count {
                if index > 0 {
                    output.append(UInt8(ascii: ","))
                }
                write(elements[index], to: &output)
                index += 1
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            var index = 0
            while index < object.members.count {
                if index > 0 {
                    output.append(UInt8(ascii: ","))
                }
                writeString(object.members[index].name, to: &output)
                output.append(UInt8(ascii: ":"))
                write(object.members[index].value, to: &output)
                index += 1
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `text` as a JSON string literal to `output`.
    ///
    /// Runs of bytes that need no escape are copied in bulk; only `"`, `\\` and controls are escaped.
    public func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                    continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscape(for: byte, to: &output)
                runStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        output.append(UInt8(ascii: "\""))
    }

    private func appendEscape(for byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            output.append(contentsOf: "u00".utf8)
            output.append(hex.utf8Start[Int(byte >> 4)])
            output.append(hex.utf8Start[Int(byte & 0x0F)])
        }
    }
}
