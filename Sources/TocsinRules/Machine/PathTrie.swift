// SPDX-License-Identifier: Apache-2.0

/// The field paths that any rule names, as a trie of key segments.
///
/// The event walk only descends into members found here, so fields no rule names cost one
/// lookup and their subtrees nothing.
struct PathTrie: Sendable {
    struct Node: Sendable {
        var names: [String] = []
        var children: [Int32] = []
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

    /// Builds the walk's flat tables (``Flat``) and hash lookups for wide nodes; call once after
    /// the last insert.
    mutating func freeze() {
        var flat = Flat()
        for node in nodes {
            let start = Int32(flat.names.count)
            flat.names += node.names
            flat.children += node.children
            var slotStart: Int32 = -1
            var mask: Int32 = 0
            if node.names.count > 8 {
                let lookup = NameLookup(names: node.names)
                slotStart = Int32(flat.slots.count)
                mask = Int32(lookup.mask)
                flat.slots += lookup.slots
            }
            flat.nodes.append(
                FlatNode(
                    pathID: node.pathID,
                    firstBytes: node.firstBytes,
                    hasEmptyName: node.hasEmptyName,
                    childStart: start,
                    childCount: Int32(node.names.count),
                    slotStart: slotStart,
                    slotMask: mask
                )
            )
        }
        self.flat = flat
    }

    /// One node of ``Flat``: plain values only, so reading one during a walk retains nothing.
    struct FlatNode: Sendable {
        var pathID: Int32
        var firstBytes: (UInt64, UInt64, UInt64, UInt64)
        var hasEmptyName: Bool
        /// The node's children are `names[childStart..<childStart + childCount]` (and `children`).
        var childStart: Int32
        var childCount: Int32
        /// The node's ``NameLookup`` slots start here in `slots` (`-1`: none, scan the names).
        var slotStart: Int32
        var slotMask: Int32

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

    /// The frozen trie as four flat arrays, which the walk reads through buffer pointers: the
    /// per-node arrays of ``Node`` would be retained and released at every member name looked up.
    struct Flat: Sendable {
        var nodes: [FlatNode] = []
        var names: [String] = []
        var children: [Int32] = []
        var slots: [Int32] = []
    }

    /// ``Flat`` borrowed for one walk.
    struct Tables {
        let nodes: UnsafeBufferPointer<FlatNode>
        let names: UnsafeBufferPointer<String>
        let children: UnsafeBufferPointer<Int32>
        let slots: UnsafeBufferPointer<Int32>

        /// The child of `node` for the event key `name`, splitting keys that contain dots.
        @inline(__always)
        func child(of node: Int, key name: String) -> Int? {
            guard let first = name.utf8.first else {
                return nodes[node].hasEmptyName ? lookup(node, name).map(Int.init) : nil
            }
            guard nodes[node].mayHaveChild(startingWith: first) else {
                return nil
            }
            if let child = lookup(node, name) {
                return Int(child)
            }
            guard PathTrie.containsDot(name) else {
                return nil
            }
            var current = node
            for segment in name.split(separator: ".", omittingEmptySubsequences: false) {
                guard let next = lookup(current, String(segment)) else {
                    return nil
                }
                current = Int(next)
            }
            return current
        }

        @inline(__always)
        private func lookup(_ node: Int, _ name: String) -> Int32? {
            let start = Int(nodes[node].childStart)
            let count = name.utf8.count
            if nodes[node].slotStart >= 0 {
                let mask = Int(nodes[node].slotMask)
                let base = Int(nodes[node].slotStart)
                var slot = NameLookup.hash(name) & mask
                while true {
                    let entry = Int(slots[base + slot])
                    if entry == 0 {
                        return nil
                    }
                    if names[start + entry - 1].utf8.count == count && names[start + entry - 1] == name {
                        return children[start + entry - 1]
                    }
                    slot = (slot + 1) & mask
                }
            }
            for index in start..<(start + Int(nodes[node].childCount))
            where names[index].utf8.count == count && names[index] == name {
                return children[index]
            }
            return nil
        }
    }

    /// The flat tables, built by ``freeze()``.
    private(set) var flat = Flat()

    /// Calls `body` with ``flat`` borrowed as buffer pointers.
    func withTables<Result>(_ body: (Tables) -> Result) -> Result {
        flat.nodes.withUnsafeBufferPointer { nodes in
            flat.names.withUnsafeBufferPointer { names in
                flat.children.withUnsafeBufferPointer { children in
                    flat.slots.withUnsafeBufferPointer { slots in
                        body(Tables(nodes: nodes, names: names, children: children, slots: slots))
                    }
                }
            }
        }
    }

    @inline(__always)
    fileprivate static func containsDot(_ name: String) -> Bool {
        if let found = name.utf8.withContiguousStorageIfAvailable({ bytes in
            bytes.contains(UInt8(ascii: "."))
        }) {
            return found
        }
        return name.utf8.contains(UInt8(ascii: "."))
    }

    private func child(of node: Int, named name: String) -> Int32? {
        let count = name.utf8.count
        for (index, candidate) in nodes[node].names.enumerated()
        where candidate.utf8.count == count && candidate == name {
            return nodes[node].children[index]
        }
        return nil
    }
}
