// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

struct TimestampTests {
    @Test(
        "valid RFC 3339 timestamps",
        arguments: [
            ("2018-04-05T17:31:00Z", Int64(1_522_949_460_000)),
            ("2018-04-05T18:31:00+01:00", 1_522_949_460_000),
            ("2018-04-05T16:31:00-01:00", 1_522_949_460_000),
            ("2018-04-05T17:31:00.1234Z", 1_522_949_460_123),
            ("2018-04-05T17:31:00.000000000Z", 1_522_949_460_000),
            ("1970-01-01T00:00:00Z", 0),
            ("2024-02-29T00:00:00z", 1_709_164_800_000),
        ]
    )
    func accepts(_ text: String, _ millis: Int64) throws {
        let timestamp = try #require(Timestamp(rfc3339: text))
        #expect(timestamp.epochMilliseconds == millis)
    }

    @Test(
        "invalid timestamps",
        arguments: [
            "lunchtime", "2018-04-05T18:31Z", "2018-04-05T18:31:00X", "2018-04-05T18:31:00+25:00",
            "2018-04-05T18:31:00+xx:00", "2018-04-05T18:31:00+05", "2018-02-30T00:00:00Z", "2018-04-05T24:00:00Z",
            "2018-04-05T17:31:00.Z", "2018-04-05 17:31:00", "",
        ]
    )
    func rejects(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test("formats epoch milliseconds as UTC", arguments: [Int64(0), 1_522_949_460_123, -1, 4_102_444_800_000])
    func formats(_ millis: Int64) throws {
        let timestamp = Timestamp(epochMilliseconds: millis)
        let reparsed = try #require(Timestamp(rfc3339: timestamp.text))
        #expect(reparsed.epochMilliseconds == millis)
    }

    @Test("the UTC text has fixed width with milliseconds")
    func formatsText() {
        #expect(Timestamp(epochMilliseconds: 0).text == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(epochMilliseconds: -1).text == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(epochMilliseconds: 1_795_608_000_123).text == "2026-11-25T12:00:00.123Z")
        #expect(Timestamp(epochMilliseconds: 951_782_400_007).text == "2000-02-29T00:00:00.007Z")
    }
}
