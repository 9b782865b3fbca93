// SPDX-License-Identifier: Apache-2.0

/// A structural count of a JSON document's first value, made before parsing it: how many arrays
/// and objects and how many values it holds, and where it ends.
///
/// Parsed, a document takes far more memory than its text (each object reserves room for its
/// members), so a small gzip body of `[{"a":0},{"a":0},…]` could otherwise cost gigabytes. The scan
/// reads the bytes once, eight at a time inside strings, and stops as soon as a budget is passed.
struct JSONShape {
    /// Most arrays and objects in one document.
    static let maxContainers = 250_000
    /// Most values (scalars, arrays and objects) in one document.
    static let maxValues = 2_000_000

    /// Containers counted.
    private(set) var containers = 0
    /// Values counted (an upper bound: every `,` and every container opens one more).
    private(set) var values = 0
    /// The index just past the first value, when the scan got there.
    private(set) var end: Int?

    /// Whether the document stays within ``maxContainers`` and ``maxValues``.
    var isWithinBudget: Bool {
        containers <= Self.maxContainers && values <= Self.maxValues
    }

    /// Scans the first JSON value of `bytes` (which starts at the first non-space byte) until it
    /// ends or passes the budget.
    init(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { scan($0, base: bytes.startIndex) }
    }

    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, base: Int) {
        var index = 0
        var depth = 0
        values = 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                index = Self.stringEnd(bytes, from: index)
                if depth == 0 {
                    end = base + index
                    return
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                containers += 1
                values += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth <= 0 {
                    end = base + index
                    return
                }
            case UInt8(ascii: ","):
                values += 1
            default:
                // A scalar at the top level ends at the first space or line break.
                if depth == 0, ByteScan.isSpace(byte) {
                    end = base + index - 1
                    return
                }
            }
            if !isWithinBudget {
                return
            }
        }
        end = base + bytes.count
    }

    /// The index after the `"` closing a string whose content starts at `index`.
    private static func stringEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        let raw = UnsafeRawBufferPointer(bytes)
        while true {
            while index + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if ByteScan.contains(word, UInt8(ascii: "\"")) || ByteScan.contains(word, UInt8(ascii: "\\")) {
                    break
                }
                index += 8
            }
            guard index < bytes.count else {
                return bytes.count
            }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return index + 1
            case UInt8(ascii: "\\"):
                index += 2
            default:
                index += 1
            }
        }
    }
}
