// SPDX-License-Identifier: Apache-2.0

/// The member paths a reader needs from a document, for ``JSONParser/parse(_:keeping:)``.
///
/// A tree of member names. Parsing with a projection builds only what the tree names: an object
/// on a path keeps the members the path continues with and drops the others; the value at the end
/// of a path is kept whole; arrays are transparent (each element is read at the array's place in
/// the tree); strings, numbers and literals along a path are kept. A member whose name contains
/// dots is kept when its dot-separated parts lead through the tree, as rule languages that accept
/// flattened names (`"userIdentity.type"`) resolve them, or when its leading parts already end a
/// path (`"a.b"` where `a` is kept whole: a reader of `a.b` finds it there).
///
/// Dropped members are still read and validated exactly as ``JSONParser/parse(_:)`` reads them, so
/// a document parses with a projection exactly when it parses without one, with the same error.
public struct JSONProjection: Sendable {
    struct Node: Sendable {
        var names: [[UInt8]] = []
        var children: [Int32] = []
        /// Whether a path ends here: the value is kept whole.
        var keepsAll = false
    }

    /// One child name in the lookup table.
    struct Entry: Sendable {
        var key: JSONNameTable.Key
        var node: Int32
        var child: Int32
        var name: [UInt8]
    }

    private(set) var nodes: [Node] = [Node()]
    /// Every child name of every node, found by ``JSONNameTable/Key`` hash in ``slots`` (entry
    /// plus one; 0 is empty): one probe or two per member name read, whatever a node's width.
    private var entries: [Entry] = []
    private var slots: [Int32] = [0, 0, 0, 0, 0, 0, 0, 0]
    private var keeps: [Bool] = [false]

    /// A projection that keeps nothing but the document's outermost value (an empty object or
    /// array when it is one).
    public init() {}

    /// A projection keeping each path (a list of member names from the document's top).
    public init(paths: [[String]]) {
        for path in paths {
            add(path)
        }
        rebuildLookup()
    }

    /// Adds a path, whose end value is kept whole.
    ///
    /// An empty path keeps the whole document.
    public mutating func insert(_ path: [String]) {
        add(path)
        rebuildLookup()
    }

    private mutating func add(_ path: [String]) {
        var node = 0
        for name in path {
            if nodes[node].keepsAll {
                return
            }
            let bytes = Array(name.utf8)
            if let position = nodes[node].names.firstIndex(of: bytes) {
                node = Int(nodes[node].children[position])
                continue
            }
            nodes.append(Node())
            let child = Int32(nodes.count - 1)
            nodes[node].names.append(bytes)
            nodes[node].children.append(child)
            node = Int(child)
        }
        nodes[node].keepsAll = true
    }

    private mutating func rebuildLookup() {
        entries = []
        keeps = nodes.map(\.keepsAll)
        for (index, node) in nodes.enumerated() {
            for (name, child) in zip(node.names, node.children) {
                let key = name.withUnsafeBytes { JSONNameTable.Key($0, canReadPast: false) }
                entries.append(Entry(key: key, node: Int32(index), child: child, name: name))
            }
        }
        var capacity = 8
        while capacity < entries.count * 4 {
            capacity <<= 1
        }
        slots = [Int32](repeating: 0, count: capacity)
        for (position, entry) in entries.enumerated() {
            var slot = Self.slot(entry.key, node: Int(entry.node), mask: capacity - 1)
            while slots[slot] != 0 {
                slot = (slot + 1) & (capacity - 1)
            }
            slots[slot] = Int32(position + 1)
        }
    }

    @inline(__always)
    private static func slot(_ key: JSONNameTable.Key, node: Int, mask: Int) -> Int {
        Int(truncatingIfNeeded: (key.hash ^ UInt64(node) &* 0xFF51_AFD7_ED55_8CCD) >> 17) & mask
    }

    /// Adds every path of `other`.
    public mutating func formUnion(_ other: JSONProjection) {
        for path in other.paths {
            add(path)
        }
        rebuildLookup()
    }

    /// The paths this projection keeps (each ending where a value is kept whole).
    public var paths: [[String]] {
        var result: [[String]] = []
        func visit(_ node: Int, _ prefix: [String]) {
            if nodes[node].keepsAll {
                result.append(prefix)
                return
            }
            for (name, child) in zip(nodes[node].names, nodes[node].children) {
                visit(Int(child), prefix + [String(decoding: name, as: UTF8.self)])
            }
        }
        visit(0, [])
        return result
    }

    /// Whether the document is kept whole.
    public var keepsEverything: Bool {
        nodes[0].keepsAll
    }

    @inline(__always)
    func keepsAll(_ node: Int) -> Bool {
        keeps[node]
    }

    /// The node a member named `name` (its decoded UTF-8, whose key is `key`) leads to from
    /// `node`, or `nil` when the member is dropped.
    @inline(__always)
    func child(of node: Int, name: UnsafeRawBufferPointer, key: JSONNameTable.Key) -> Int? {
        if let child = lookup(node, name, key) {
            return child
        }
        guard name.contains(UInt8(ascii: ".")) else {
            return nil
        }
        var current = node
        for part in name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            if keeps[current] {
                // The leading parts end a path: the member lies inside a value kept whole.
                return current
            }
            let part = UnsafeRawBufferPointer(rebasing: part)
            guard let next = lookup(current, part, JSONNameTable.Key(part, canReadPast: false)) else {
                return nil
            }
            current = next
        }
        return current
    }

    @inline(__always)
    private func lookup(_ node: Int, _ name: UnsafeRawBufferPointer, _ key: JSONNameTable.Key) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            entries.withUnsafeBufferPointer { entries in
                let mask = slots.count - 1
                var slot = Self.slot(key, node: node, mask: mask)
                while true {
                    let position = Int(slots[slot])
                    if position == 0 {
                        return nil
                    }
                    if entries[position - 1].node == node, entries[position - 1].key == key,
                        key.count <= 16 || entries[position - 1].name.elementsEqual(name)
                    {
                        return Int(entries[position - 1].child)
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }
}
