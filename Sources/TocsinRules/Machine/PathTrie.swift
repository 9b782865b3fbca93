// SPDX-License-Identifier: Apache-2.0

/// The field paths that any rule names, as a trie of key segments.
///
/// The event walk only descends into members found here, so fields no rule names cost one
/// lookup and their subtrees nothing.
struct PathTrie: Sendable {
    struct Node: Sendable {
        var names: [String] = []
        var children: [Int32] = []
        /// Built when a node has many children.
        var lookup: [String: Int32]?
        /// The path id when some condition names this exact path, else -1.
        var pathID: Int32 = -1
    }

    private(set) var nodes: [Node] = [Node()]
    private(set) var pathCount = 0

    /// Adds a path and returns its id (the same id when added again).
    mutating func insert(_ segments: [String]) -> Int32 {
        var node = 0
        for segment in segments {
            if let child = child(of: node, named: segment) {
                node = Int(child)
            } else {
                nodes.append(Node())
                let child = Int32(nodes.count - 1)
                nodes[node].names.append(segment)
                nodes[node].children.append(child)
                node = Int(child)
            }
        }
        if nodes[node].pathID < 0 {
            nodes[node].pathID = Int32(pathCount)
            pathCount += 1
        }
        return nodes[node].pathID
    }

    /// Builds hash lookups for wide nodes; call once after the last insert.
    mutating func freeze() {
        for index in nodes.indices where nodes[index].names.count > 8 {
            nodes[index].lookup = Dictionary(
                uniqueKeysWithValues: zip(nodes[index].names, nodes[index].children)
            )
        }
    }

    /// The child of `node` for the event key `name`, splitting keys that contain dots.
    @inline(__always)
    func child(of node: Int, key name: String) -> Int? {
        if let child = child(of: node, named: name) {
            return Int(child)
        }
        guard name.utf8.contains(UInt8(ascii: ".")) else {
            return nil
        }
        var current = node
        for segment in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard let next = child(of: current, named: String(segment)) else {
                return nil
            }
            current = Int(next)
        }
        return current
    }

    @inline(__always)
    private func child(of node: Int, named name: String) -> Int32? {
        let entry = nodes[node]
        if let lookup = entry.lookup {
            return lookup[name]
        }
        let count = name.utf8.count
        for index in entry.names.indices where entry.names[index].utf8.count == count && entry.names[index] == name {
            return entry.children[index]
        }
        return nil
    }
}
