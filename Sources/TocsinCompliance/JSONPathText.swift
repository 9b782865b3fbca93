// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Writes member steps of the JSON paths that findings carry.
enum JSONPathText {
    /// Appends `.name` when the name is letters, digits, `_` and `-` only, else `['name']` with `'`
    /// and `\` escaped by a backslash.
    static func appendMember<Name: Collection<UInt8>>(_ name: Name, to path: inout [UInt8]) {
        let isPlain =
            !name.isEmpty
            && name.allSatisfy { ASCII.isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        if isPlain {
            path.append(UInt8(ascii: "."))
            path.append(contentsOf: name)
            return
        }
        path.append(contentsOf: Array("['".utf8))
        for byte in name {
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") {
                path.append(UInt8(ascii: "\\"))
            }
            path.append(byte)
        }
        path.append(contentsOf: Array("']".utf8))
    }

    /// Appends the decimal digits of `value` (not negative).
    static func appendDecimal(_ value: Int, to path: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 {
            divisor *= 10
        }
        var rest = value
        while divisor > 0 {
            path.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// The path of `steps` (member names and array indices) from the root `$`.
    static func render(_ steps: [JSONPath.Step]) -> String {
        var path: [UInt8] = [UInt8(ascii: "$")]
        for step in steps {
            switch step {
            case .member(let name):
                appendMember(name.utf8, to: &path)
            case .index(let element):
                path.append(contentsOf: Array("[\(element)]".utf8))
            }
        }
        return String(decoding: path, as: UTF8.self)
    }
}
