// SPDX-License-Identifier: Apache-2.0

/// The member names of the objects a projected parse is inside, to reject a repeated name without
/// building a `String` for each.
///
/// Names are recorded as spans of the document (or, for names written with escapes, of a side
/// buffer of their decoded bytes), innermost object last. Each object keeps a ``Frame``: the
/// Bloom mask of ``JSONMemberNames`` and, past ``JSONMemberNames/wideObjectMembers`` members, the
/// same `Set<String>`. Names compare exactly as ``JSONMemberNames`` compares them (equal UTF-8
/// lengths, then `String` equality), so both parses reject the same documents.
struct JSONNameLog {
    /// One object's part of the log.
    struct Frame {
        fileprivate let base: Int
        fileprivate let sideBase: Int
        fileprivate var mask: UInt64 = 0
        fileprivate var wide: Set<String>?
    }

    /// Where each recorded name starts: an offset into the document, or `-1 - offset` into ``side``.
    private var starts: [Int] = []
    private var counts: [Int] = []
    private var side: [UInt8] = []

    /// Starts the names of a new object.
    mutating func open() -> Frame {
        if starts.capacity == 0 {
            starts.reserveCapacity(64)
            counts.reserveCapacity(64)
        }
        return Frame(base: starts.count, sideBase: side.count)
    }

    /// Forgets the names of the object `frame` was opened for.
    mutating func close(_ frame: Frame) {
        starts.removeLast(starts.count - frame.base)
        counts.removeLast(counts.count - frame.base)
        side.removeLast(side.count - frame.sideBase)
    }

    /// Records a name whose decoded UTF-8 is `name` and hashes to `hash`.
    ///
    /// - Parameters:
    ///   - name: The name's decoded UTF-8.
    ///   - hash: The hash of `name` (``JSONNameTable/Key/hash``).
    ///   - offset: Where `name` starts in `document` when it is the document's own bytes (no
    ///     escapes); `nil` when it was decoded, and is then copied.
    ///   - frame: The object's part of the log.
    ///   - document: The document being parsed.
    /// - Returns: `false` when the object already has that name.
    mutating func insert(
        _ name: UnsafeRawBufferPointer,
        hash: UInt64,
        offset: Int?,
        frame: inout Frame,
        document: UnsafeRawBufferPointer
    ) -> Bool {
        if frame.wide != nil {
            return frame.wide?.insert(String(decoding: name, as: UTF8.self)).inserted ?? true
        }
        let bit: UInt64 = 1 &<< (hash >> 58)
        let maybeSeen = frame.mask & bit != 0
        frame.mask |= bit
        if maybeSeen {
            for record in frame.base..<starts.count where counts[record] == name.count {
                if self.record(record, equals: name, document: document) {
                    return false
                }
            }
        }
        if starts.count - frame.base >= JSONMemberNames.wideObjectMembers {
            var names = Set((frame.base..<starts.count).map { string(of: $0, document: document) })
            names.insert(String(decoding: name, as: UTF8.self))
            frame.wide = names
            return true
        }
        if let offset {
            starts.append(offset)
        } else {
            starts.append(-1 - side.count)
            side.append(contentsOf: name)
        }
        counts.append(name.count)
        return true
    }

    /// Whether recorded name `record` equals `name` (see ``equal(_:_:)``).
    private func record(_ record: Int, equals name: UnsafeRawBufferPointer, document: UnsafeRawBufferPointer) -> Bool {
        let start = starts[record]
        if start >= 0 {
            return Self.equal(UnsafeRawBufferPointer(rebasing: document[start..<(start + counts[record])]), name)
        }
        return side.withUnsafeBytes { side in
            Self.equal(UnsafeRawBufferPointer(rebasing: side[(-1 - start)..<(-1 - start + counts[record])]), name)
        }
    }

    private func string(of record: Int, document: UnsafeRawBufferPointer) -> String {
        let start = starts[record]
        if start >= 0 {
            return String(decoding: document[start..<(start + counts[record])], as: UTF8.self)
        }
        return String(decoding: side[(-1 - start)..<(-1 - start + counts[record])], as: UTF8.self)
    }

    /// Equal bytes, or (for non-ASCII names of equal length) equal as `String`s.
    private static func equal(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Bool {
        if first.elementsEqual(second) {
            return true
        }
        guard first.contains(where: { $0 >= 0x80 }) || second.contains(where: { $0 >= 0x80 }) else {
            return false
        }
        return String(decoding: first, as: UTF8.self) == String(decoding: second, as: UTF8.self)
    }
}
