// SPDX-License-Identifier: Apache-2.0

/// Deadlines of one rule's groups (closing windows, absences), earliest first.
///
/// Entries are ordered by (deadline, arming order), a total order, so timers fire in the same order in every
/// run and after a snapshot is restored. An entry names a slot and the slot's generation: an entry whose
/// slot was since given to another group is stale and skipped.
struct TimerQueue: Sendable, Codable {
    struct Entry: Sendable, Hashable, Codable {
        /// Fires once the rule's watermark is past it.
        var deadline: Int64
        var serial: UInt64
        var slot: Int32
        var generation: UInt32

        func precedes(_ other: Entry) -> Bool {
            (deadline, serial) < (other.deadline, other.serial)
        }
    }

    private var heap: [Entry] = []
    private var nextSerial: UInt64 = 0

    /// The earliest deadline, if any.
    var earliest: Int64? {
        heap.first?.deadline
    }

    /// The number of entries.
    var count: Int {
        heap.count
    }

    /// Whether every entry names a slot below `slotCount` (checked on a restored snapshot).
    func isConsistent(slotCount: Int) -> Bool {
        heap.allSatisfy { $0.slot >= 0 && Int($0.slot) < slotCount }
    }

    mutating func schedule(_ deadline: Int64, slot: Int32, generation: UInt32) {
        heap.append(Entry(deadline: deadline, serial: nextSerial, slot: slot, generation: generation))
        nextSerial &+= 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else {
                break
            }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry whose deadline is before `watermark`.
    mutating func popDue(before watermark: Int64) -> Entry? {
        guard let first = heap.first, first.deadline < watermark else {
            return nil
        }
        let last = heap.removeLast()
        guard !heap.isEmpty else {
            return first
        }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].precedes(heap[smallest]) {
                smallest = left
            }
            if right < heap.count && heap[right].precedes(heap[smallest]) {
                smallest = right
            }
            guard smallest != parent else {
                break
            }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
