// SPDX-License-Identifier: Apache-2.0

/// Simple (one scalar to one scalar) case folding for case-insensitive regular expressions.
///
/// Two scalars are case-equivalent when one is the single-scalar lowercase, uppercase or titlecase
/// mapping of the other in the standard library's Unicode data; an *orbit* is a class of that
/// relation, so `k`, `K` and the Kelvin sign U+212A form one, as do `s`, `S` and the long s U+017F,
/// and `σ`, `ς` and `Σ`. Mappings to several scalars (`ß` → `SS`, `İ` → `i̇`) are not simple and are
/// left out, as in RE2, and so is the Turkic dotless `ı`. The table covers planes 0 and 1, where every cased letter lives, and is
/// built once, on first use.
enum SimpleCaseFolding {
    /// Every cased scalar, sorted, with its orbit index.
    private static let table: Table = Table()

    private struct Table: Sendable {
        var scalars: [UInt32] = []
        var orbitOf: [Int32] = []
        var orbits: [[UInt32]] = []

        init() {
            var parent: [UInt32: UInt32] = [:]
            func root(_ scalar: UInt32) -> UInt32 {
                var current = scalar
                while let next = parent[current], next != current {
                    current = next
                }
                return current
            }
            for value in UInt32(0)...0x1_FFFF {
                // U+0131 (dotless i) upper-cases to I only under Turkic rules; Unicode's simple
                // case folding leaves it alone, and so do we.
                guard value != 0x131, let scalar = Unicode.Scalar(value), scalar.properties.changesWhenCaseMapped else {
                    continue
                }
                let properties = scalar.properties
                for mapping in [properties.lowercaseMapping, properties.uppercaseMapping, properties.titlecaseMapping] {
                    let mapped = mapping.unicodeScalars
                    guard mapped.count == 1, let other = mapped.first?.value, other != value else {
                        continue
                    }
                    let left = root(value)
                    let right = root(other)
                    parent[left] = left
                    parent[right] = right
                    if left != right {
                        parent[max(left, right)] = min(left, right)
                    }
                }
            }
            var orbitIndex: [UInt32: Int32] = [:]
            for scalar in parent.keys.sorted() {
                let top = root(scalar)
                let index: Int32
                if let known = orbitIndex[top] {
                    index = known
                } else {
                    index = Int32(orbits.count)
                    orbitIndex[top] = index
                    orbits.append([])
                }
                orbits[Int(index)].append(scalar)
                scalars.append(scalar)
                orbitOf.append(index)
            }
        }
    }

    /// The scalars case-equivalent to `scalar`, itself included, sorted; `[scalar]` when uncased.
    static func orbit(of scalar: UInt32) -> [UInt32] {
        let table = table
        let index = lowerBound(scalar, in: table.scalars)
        guard index < table.scalars.count, table.scalars[index] == scalar else {
            return [scalar]
        }
        return table.orbits[Int(table.orbitOf[index])]
    }

    /// Calls `body` with the orbit of every cased scalar in `range`.
    static func forEachCasedScalar(in range: ClosedRange<UInt32>, _ body: ([UInt32]) -> Void) {
        let table = table
        var index = lowerBound(range.lowerBound, in: table.scalars)
        while index < table.scalars.count, table.scalars[index] <= range.upperBound {
            body(table.orbits[Int(table.orbitOf[index])])
            index += 1
        }
    }

    private static func lowerBound(_ value: UInt32, in sorted: [UInt32]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}
