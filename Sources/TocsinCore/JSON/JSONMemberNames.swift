// SPDX-License-Identifier: Apache-2.0

/// The member names of one object while ``JSONReader`` reads it, to reject a repeated name.
///
/// A 64-bit Bloom mask over each name's hash (already computed for the ``JSONNameTable``
/// lookup) answers "certainly new" for most names; only a name whose bit is set is looked up
/// among the members read so far. An object that grows past ``wideObjectMembers`` moves its names into
/// a `Set` (seeded hashing), so a wide hostile object costs linear rather than quadratic time,
/// and names crafted to collide can at worst fill the mask, not break that bound.
struct JSONMemberNames {
    /// Objects with more members than this check names with a hash set.
    static let wideObjectMembers = 32

    private var mask: UInt64 = 0
    private var wide: Set<String>?

    /// Records `name`, whose decoded UTF-8 hashes to `hash`.
    ///
    /// - Returns: `false` when `members` (the members read so far) already has that name.
    @inline(__always)
    mutating func insert(_ name: String, hash: UInt64, members: [JSONObject.Member]) -> Bool {
        if let inserted = wide?.insert(name).inserted {
            return inserted
        }
        let bit: UInt64 = 1 &<< (hash >> 58)
        let maybeSeen = mask & bit != 0
        mask |= bit
        if maybeSeen, JSONObject(members)[name] != nil {
            return false
        }
        if members.count >= Self.wideObjectMembers {
            var names = Set(members.lazy.map(\.name))
            names.insert(name)
            wide = names
        }
        return true
    }
}
