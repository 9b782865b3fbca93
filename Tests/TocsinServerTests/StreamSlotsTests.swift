// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import TocsinServer

/// Live-stream slots per identity: taken when a stream opens, given back when it ends.
struct StreamSlotsTests {
    @Test("an identity holds at most the maximum; a slot returns when its holder goes away")
    func slots() {
        let slots = StreamSlots(maximumPerIdentity: 2)
        var first = slots.acquire("reader")
        let second = slots.acquire("reader")
        #expect(first != nil && second != nil)
        #expect(slots.acquire("reader") == nil)
        #expect(slots.acquire("admin") != nil, "other identities have their own slots")
        first = nil
        #expect(first == nil)
        let third = slots.acquire("reader")
        #expect(third != nil, "the released slot is free again")
        #expect(slots.acquire("reader") == nil)
        withExtendedLifetime((second, third)) {}
    }
}
