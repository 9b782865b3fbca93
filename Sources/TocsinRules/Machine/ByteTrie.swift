// SPDX-License-Identifier: Apache-2.0

/// A trie over bytes whose nodes carry sub-rule ids: `passing` ids fire when a walk reaches the
/// node (prefix semantics), `ending` ids only when the walk's input ends there (exact semantics).
///
/// Edges are kept per node in small arrays searched linearly (nodes rarely have many).
struct ByteTrie: Sendable {
    private var edgeBytes: [[UInt8]] = [[]]
    private var edgeTargets: [[Int32]] = [[]]
    private var passing: [[Int32]] = [[]]
    private var ending: [[Int32]] = [[]]
    private(set) var isEmpty = true

    /// Adds `bytes`; the id fires for inputs that start with them, or equal them when `exact`.
    mutating func insert(_ bytes: some Sequence<UInt8>, id: Int32, exact: Bool) {
        isEmpty = false
        var node = 0
        for byte in bytes {
            if let position = edgeBytes[node].firstIndex(of: byte) {
                node = Int(edgeTargets[node][position])
            } else {
                edgeBytes.append([])
                edgeTargets.append([])
                passing.append([])
                ending.append([])
                let target = Int32(edgeBytes.count - 1)
                edgeBytes[node].append(byte)
                edgeTargets[node].append(target)
                node = Int(target)
            }
        }
        if exact {
            ending[node].append(id)
        } else {
            passing[node].append(id)
        }
    }

    /// Walks `bytes` (backwards when `reversed`, lower-casing ASCII when `folding`) and fires ids.
    @inline(__always)
    func walk(
        _ bytes: UnsafeBufferPointer<UInt8>,
        reversed: Bool,
        folding: Bool,
        into state: inout MatchState
    ) {
        var node = 0
        state.addCandidates(passing[0])
        let count = bytes.count
        var step = 0
        while step < count {
            var byte = bytes[reversed ? count - 1 - step : step]
            if folding {
                byte = CaseFolding.lower(byte)
            }
            let edges = edgeBytes[node]
            guard let position = edges.firstIndex(of: byte) else {
                return
            }
            node = Int(edgeTargets[node][position])
            state.addCandidates(passing[node])
            step += 1
        }
        state.addCandidates(ending[node])
    }
}
