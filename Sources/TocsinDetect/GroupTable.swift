// SPDX-License-Identifier: Apache-2.0

/// The groups of one rule: group values → slot, slots reused after removal, and a least-recently-used list.
///
/// A machine keeps its per-group state in arrays indexed by slot, so a group costs no allocation per update.
/// Nothing here depends on `Hasher`'s per-process seed: the dictionary is only looked up, never iterated, and
/// eviction follows the list, so the same inputs give the same slots in every process.
struct GroupTable: Sendable, Codable {
    /// The group values of each slot (`[]` for a free slot).
    private(set) var keys: [[String]] = []
    /// Each slot's generation, bumped when its group is removed (timers check it).
    private(set) var generations: [UInt32] = []
    /// The most groups held at once.
    let capacity: Int
    /// The most recently used slot, or -1.
    private(set) var newest: Int32 = -1
    /// The least recently used slot, or -1.
    private(set) var oldest: Int32 = -1
    private var older: [Int32] = []
    private var newer: [Int32] = []
    private var freeSlots: [Int32] = []
    private var index: [[String]: Int32] = [:]

    private enum CodingKeys: String, CodingKey {
        case keys, generations, capacity, newest, oldest, older, newer, freeSlots
    }

    init(capacity: Int) {
        self.capacity = capacity
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        keys = try container.decode([[String]].self, forKey: .keys)
        generations = try container.decode([UInt32].self, forKey: .generations)
        capacity = try container.decode(Int.self, forKey: .capacity)
        newest = try container.decode(Int32.self, forKey: .newest)
        oldest = try container.decode(Int32.self, forKey: .oldest)
        older = try container.decode([Int32].self, forKey: .older)
        newer = try container.decode([Int32].self, forKey: .newer)
        freeSlots = try container.decode([Int32].self, forKey: .freeSlots)
        let slots = keys.count
        guard generations.count == slots, older.count == slots, newer.count == slots,
            (-1..<Int32(slots)).contains(newest), (-1..<Int32(slots)).contains(oldest)
        else {
            throw DetectionError(rule: "", code: .snapshot, message: "a group table in the snapshot is inconsistent")
        }
        var slot = newest
        var visited = 0
        while slot >= 0 && visited <= slots {
            index[keys[Int(slot)]] = slot
            visited += 1
            slot = older[Int(slot)]
        }
        guard visited + freeSlots.count == slots, index.count == visited else {
            throw DetectionError(rule: "", code: .snapshot, message: "a group table in the snapshot is inconsistent")
        }
    }

    /// The number of groups held.
    var count: Int {
        index.count
    }

    /// The number of slots, used or free: the length of the machine's per-slot arrays.
    var slotCount: Int {
        keys.count
    }

    /// The slot of a group, if held.
    func slot(for key: [String]) -> Int32? {
        index[key]
    }

    /// Marks a slot as the most recently used.
    mutating func touch(_ slot: Int32) {
        guard slot != newest else {
            return
        }
        unlink(slot)
        link(slot)
    }

    /// Adds a group (the caller made room); returns its slot and whether the slot is new (the machine appends
    /// state) rather than reused (the machine resets state).
    ///
    /// - Precondition: `count < capacity` and the group is not held.
    mutating func insert(_ key: [String]) -> (slot: Int32, isNew: Bool) {
        precondition(count < capacity, "GroupTable.insert called on a full table")
        let slot: Int32
        let isNew: Bool
        if let free = freeSlots.popLast() {
            slot = free
            isNew = false
            keys[Int(slot)] = key
        } else {
            slot = Int32(keys.count)
            isNew = true
            keys.append(key)
            generations.append(0)
            older.append(-1)
            newer.append(-1)
        }
        index[key] = slot
        link(slot)
        return (slot, isNew)
    }

    /// Removes a group; its slot becomes free.
    mutating func remove(_ slot: Int32) {
        index[keys[Int(slot)]] = nil
        unlink(slot)
        keys[Int(slot)] = []
        generations[Int(slot)] &+= 1
        freeSlots.append(slot)
    }

    /// The held slots from the least to the most recently used.
    var slotsByAge: [Int32] {
        var slots: [Int32] = []
        slots.reserveCapacity(count)
        var slot = oldest
        while slot >= 0 {
            slots.append(slot)
            slot = newer[Int(slot)]
        }
        return slots
    }

    private mutating func unlink(_ slot: Int32) {
        let before = older[Int(slot)]
        let after = newer[Int(slot)]
        if before >= 0 {
            newer[Int(before)] = after
        } else {
            oldest = after
        }
        if after >= 0 {
            older[Int(after)] = before
        } else {
            newest = before
        }
        older[Int(slot)] = -1
        newer[Int(slot)] = -1
    }

    private mutating func link(_ slot: Int32) {
        older[Int(slot)] = newest
        newer[Int(slot)] = -1
        if newest >= 0 {
            newer[Int(newest)] = slot
        } else {
            oldest = slot
        }
        newest = slot
    }
}
