// SPDX-License-Identifier: Apache-2.0

import TocsinCore

extension Timestamp {
    /// The instants an RFC 3339 timestamp can write, 0001-01-01T00:00:00Z through
    /// 9999-12-31T23:59:59.999Z, in milliseconds since the epoch.
    static let writableMilliseconds: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    /// The time a record gives as `value` units of `millisecondsPerUnit` since the epoch (1 for
    /// milliseconds, 1,000 for seconds); `nil` when that is no instant an RFC 3339 timestamp can write.
    ///
    /// A record's numbers are the sender's to choose: scaling them, and the timestamp's own
    /// arithmetic, would overflow `Int64` far outside that range.
    init?(epochValue value: Int64, millisecondsPerUnit: Int64) {
        let (milliseconds, overflow) = value.multipliedReportingOverflow(by: millisecondsPerUnit)
        guard !overflow, Self.writableMilliseconds.contains(milliseconds) else {
            return nil
        }
        self.init(epochMilliseconds: milliseconds)
    }
}
