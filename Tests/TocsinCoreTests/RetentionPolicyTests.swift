// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

struct RetentionPolicyTests {
    static let day: Int64 = 86_400_000

    let policy = RetentionPolicy(
        rules: [
            .init(source: "aws.cloudtrail*", type: "*", keepMilliseconds: 90 * day),
            .init(source: "/tocsin/*", type: "tocsin.alert.*", keepMilliseconds: nil),
            .init(source: "*", type: "*.debug", keepMilliseconds: day),
        ],
        defaultKeepMilliseconds: 365 * day
    )

    @Test(
        "the first matching rule decides, else the default",
        arguments: [
            ("aws.cloudtrail.us-east-1", "AwsApiCall", Optional(90 * day)),
            ("/tocsin/router", "tocsin.alert.raised", nil),
            ("/tocsin/router", "tocsin.delivery.failed", 365 * day),
            ("/ssh/bastion", "ssh.login.debug", day),
            ("aws.cloudtrail", "x.debug", 90 * day),
        ] as [(String, String, Int64?)]
    )
    func keep(source: String, type: String, expected: Int64?) {
        #expect(policy.keepMilliseconds(source: source, type: type) == expected)
    }

    @Test("a record expires when its age reaches its keep, and never when kept forever")
    func expiry() {
        let ingest: Int64 = 1_000
        #expect(
            !policy.isExpired(
                source: "aws.cloudtrail",
                type: "t",
                ingestMilliseconds: ingest,
                nowMilliseconds: ingest + 90 * Self.day - 1
            )
        )
        #expect(
            policy.isExpired(
                source: "aws.cloudtrail",
                type: "t",
                ingestMilliseconds: ingest,
                nowMilliseconds: ingest + 90 * Self.day
            )
        )
        #expect(
            !policy.isExpired(
                source: "/tocsin/x",
                type: "tocsin.alert.raised",
                ingestMilliseconds: 0,
                nowMilliseconds: .max
            )
        )
        #expect(!RetentionPolicy().isExpired(source: "a", type: "b", ingestMilliseconds: 0, nowMilliseconds: .max))
    }

    @Test(
        "the cut is the last checkpoint inside the expired, readable prefix that a later checkpoint follows",
        arguments: [
            // liveFirst, expiredThrough, checkpoints, limit, expected
            (1, 10, [4, 8, 10], Int64.max, Optional<Int64>(8)),
            (1, 10, [4, 8, 12], .max, 8),
            (1, 7, [4, 8, 10], .max, 4),
            (1, 3, [4, 8, 10], .max, nil),
            (1, 0, [4, 8], .max, nil),
            (1, 10, [10], .max, nil),
            (1, 10, [], .max, nil),
            (1, 10, [4, 8, 10], 6, 4),
            (5, 10, [4, 8, 12], .max, 8),
            (9, 10, [4, 8, 12], .max, nil),
        ] as [(Int64, Int64, [Int64], Int64, Int64?)]
    )
    func cut(liveFirst: Int64, expiredThrough: Int64, checkpoints: [Int64], limit: Int64, expected: Int64?) {
        #expect(
            ArchiveCut.sequence(
                liveFirst: liveFirst,
                expiredThrough: expiredThrough,
                checkpoints: checkpoints,
                limit: limit
            ) == expected
        )
    }
}
