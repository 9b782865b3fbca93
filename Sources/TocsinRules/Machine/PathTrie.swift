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
        var lookup: NameLookup?
        /// The path id when some condition names this exact path, else -1.
        var pathID: Int32 = -1
        /// The first bytes of the child names (`.` stands for an empty name), as a 256-bit set:
        /// an event key whose first byte is not here cannot lead anywhere, dotted or not.
        var firstBytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var hasEmptyName = false

        mutating func noteFirstByte(of name: String) {
            let byte = name.utf8.first ?? UInt8(ascii: ".")
            hasEmptyName = hasEmptyName || name.isEmpty
            let bit = UInt64(1) << UInt64(byte & 63)
            switch byte >> 6 {
            case 0: firstBytes.0 |= bit
            case 1: firstBytes.1 |= bit
            case 2: firstBytes.2 |= bit
            default: firstBytes.3 |= bit
            }
        }

        @inline(__always)
        func mayHaveChild(startingWith byte: UInt8) -> Bool {
            let bit = UInt64(1) << UInt64(byte & 63)
            switch byte >> 6 {
            case 0: return firstBytes.0 & bit != 0
            case 1: return firstBytes.1 & bit != 0
            case 2: return firstBytes.2 & bit != 0
            default: return firstBytes.3 & bit != 0
            }
        }
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
                nodes[node].noteFirstByte(of: segment)
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
            nodes[index].lookup = NameLookup(names: nodes[index].names)
        }
    }

    /// The child of `node` for the event key `name`, splitting keys that contain dots.
    @inline(__always)
    static func child(
        in nodes: UnsafeBufferPointer<Node>,
        of node: Int,
        key name: String
    ) -> Int? {
        guard let first = name.utf8.first else {
            return nodes[node].hasEmptyName ? lookup(in: nodes, node: node, name: name).map(Int.init) : nil
        }
        guard nodes[node].mayHaveChild(startingWith: first) else {
            return nil
        }
        if let child = lookup(in: nodes, node: node, name: name) {
            return Int(child)
        }
        guard containsDot(name) else {
            return nil
        }
        var current = node
        for segment in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard let next = lookup(in: nodes, node: current, name: String(segment)) else {
                return nil
            }
            current = Int(next)
        }
        return current
    }

    @inline(__always)
    private static func containsDot(_ name: String) -> Bool {
        if let found = name.utf8.withContiguousStorageIfAvailable({ bytes in
            bytes.contains(UInt8(ascii: "."))
        }) {
            return found
        }
        return name.utf8.contains(UInt8(ascii: "."))
    }

    private func child(of node: Int, named name: String) -> Int32? {
        nodes.withUnsafeBufferPointer { PathTrie.lookup(in: $0, node: node, name: name) }
    }

    @inline(__always)
    private static func lookup(in nodes: UnsafeBufferPointer<Node>, node: Int, name: String) -> Int32? {
        let names = nodes[node].names
        if let lookup = nodes[node].lookup {
            return lookup.position(of: name, in: names).map { nodes[node].children[$0] }
        }
        let count = name.utf8.count
        for index in names.indices where names[index].utf8.count == count && names[index] == name {
            return nodes[node].children[index]
        }
        return nil
    }
}
