// SPDX-License-Identifier: Apache-2.0

#if NATS
internal import CNats

extension NATSConnection {
    /// How many times the connection reconnected since it opened (libnats' statistics; 0 when they
    /// cannot be read).
    ///
    /// A cheap, non-blocking read: libnats copies its counters under the connection's lock.
    public var reconnects: Int {
        var statistics: OpaquePointer?
        guard natsStatistics_Create(&statistics) == NATS_OK, let statistics else {
            return 0
        }
        defer { natsStatistics_Destroy(statistics) }
        var count: UInt64 = 0
        guard natsConnection_GetStats(connection, statistics) == NATS_OK,
            natsStatistics_GetCounts(statistics, nil, nil, nil, nil, &count) == NATS_OK
        else {
            return 0
        }
        return Int(clamping: count)
    }
}
#endif
