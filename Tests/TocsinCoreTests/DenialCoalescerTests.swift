// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

/// The coalescer as a table: denials at given times in, summaries out.
struct DenialCoalescerTests {
    enum Step {
        case deny(at: Int64, address: String, reason: DenialReason)
        case flush(at: Int64)
    }

    /// What one step emitted: (address, reason, count, per-address minute count) per summary.
    typealias Emitted = [(String, DenialReason, Int, Int)]

    static func run(_ steps: [Step], maximumKeys: Int = 4096) -> [Emitted] {
        var coalescer = DenialCoalescer(maximumKeys: maximumKeys)
        return steps.map { step in
            let summaries: [DenialCoalescer.Summary]
            switch step {
            case .deny(let time, let address, let reason):
                let denial = DenialCoalescer.Denial(
                    reason: reason,
                    address: address,
                    method: "GET",
                    route: "/v1/events"
                )
                summaries = coalescer.record(denial, now: time).map { [$0] } ?? []
            case .flush(let time):
                summaries = coalescer.flush(now: time)
            }
            return summaries.map { ($0.denial.address, $0.denial.reason, $0.count, $0.addressDenialsLastMinute) }
        }
    }

    static func same(_ left: [Emitted], _ right: [Emitted]) -> Bool {
        left.count == right.count
            && zip(left, right).allSatisfy { a, b in
                a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
            }
    }

    @Test("the first denial is recorded at once; the rest of its second is held and summed")
    func floodIsCoalesced() {
        var steps: [Step] = [.deny(at: 0, address: "a", reason: .unknownKey)]
        steps += (1...99).map { .deny(at: Int64($0 * 5), address: "a", reason: .unknownKey) }
        steps.append(.flush(at: 999))
        steps.append(.flush(at: 1000))
        let emitted = Self.run(steps)
        #expect(Self.same([emitted[0]], [[("a", .unknownKey, 1, 1)]]))
        #expect(emitted[1...99].allSatisfy { $0.isEmpty })
        #expect(emitted[100].isEmpty, "the window has not ended")
        #expect(Self.same([emitted[101]], [[("a", .unknownKey, 99, 100)]]))
    }

    @Test("addresses and reasons are windowed separately")
    func keysAreSeparate() {
        let emitted = Self.run([
            .deny(at: 0, address: "a", reason: .unknownKey),
            .deny(at: 1, address: "a", reason: .forbidden),
            .deny(at: 2, address: "b", reason: .unknownKey),
            .deny(at: 3, address: "a", reason: .unknownKey),
        ])
        #expect(
            Self.same(
                emitted,
                [[("a", .unknownKey, 1, 1)], [("a", .forbidden, 1, 2)], [("b", .unknownKey, 1, 1)], []]
            )
        )
    }

    @Test("never more than one summary a second per key, and held denials are never lost")
    func atMostOnePerWindow() {
        let emitted = Self.run([
            .deny(at: 0, address: "a", reason: .revoked),
            .deny(at: 500, address: "a", reason: .revoked),
            .flush(at: 1000),
            .deny(at: 1200, address: "a", reason: .revoked),
            .flush(at: 1900),
            .flush(at: 2000),
            .flush(at: 3000),
            .deny(at: 3100, address: "a", reason: .revoked),
        ])
        #expect(
            Self.same(
                emitted,
                [
                    [("a", .revoked, 1, 1)], [], [("a", .revoked, 1, 2)], [], [], [("a", .revoked, 1, 3)], [],
                    [("a", .revoked, 1, 4)],
                ]
            )
        )
    }

    @Test("ten denials spread over a minute reach a per-address count of ten; older ones fall out")
    func minuteCount() {
        var steps: [Step] = (0..<10).map { .deny(at: Int64($0) * 5000, address: "a", reason: .unknownKey) }
        steps.append(.deny(at: 66_000, address: "a", reason: .unknownKey))
        let counts = Self.run(steps).map { $0.first?.3 }
        #expect(counts == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 9])
    }

    @Test("past the key limit, new addresses share one overflow entry")
    func bounded() {
        let emitted = Self.run(
            [
                .deny(at: 0, address: "a", reason: .unknownKey),
                .deny(at: 1, address: "b", reason: .unknownKey),
                .deny(at: 2, address: "c", reason: .unknownKey),
                .deny(at: 3, address: "d", reason: .unknownKey),
            ],
            maximumKeys: 2
        )
        let overflow = DenialCoalescer.overflowAddress
        #expect(
            Self.same(
                emitted,
                [[("a", .unknownKey, 1, 1)], [("b", .unknownKey, 1, 1)], [(overflow, .unknownKey, 1, 1)], []]
            )
        )
    }
}
