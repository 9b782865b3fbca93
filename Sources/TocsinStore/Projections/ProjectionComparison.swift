// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// How a projection's live tables compare with the same tables folded again from the log.
public struct ProjectionComparison: Sendable, Hashable {
    /// One table's comparison, row by row over every column.
    public struct Table: Sendable, Hashable {
        /// The table's name.
        public var name: String
        /// Rows compared in the live table.
        public var liveRows: Int
        /// Rows compared in the rebuilt table.
        public var rebuiltRows: Int
        /// Live rows that no rebuilt row equals in every column.
        public var onlyLive: Int
        /// Rebuilt rows that no live row equals in every column.
        public var onlyRebuilt: Int
        /// The first column (the key) of up to five differing rows, never other values.
        public var differingKeys: [String]

        /// Whether both hold the same rows.
        public var isEqual: Bool {
            onlyLive == 0 && onlyRebuilt == 0 && liveRows == rebuiltRows
        }
    }

    /// The projection's name.
    public var projection: String
    /// The log sequence number both sides reflect.
    public var through: Int64
    /// Each of its tables.
    public var tables: [Table]

    /// Whether every table is equal.
    public var isEqual: Bool {
        tables.allSatisfy(\.isEqual)
    }
}

/// What a rebuild did.
public struct ProjectionRebuild: Sendable, Hashable {
    /// The projection's name.
    public var projection: String
    /// The log sequence number the swapped-in tables reflect.
    public var through: Int64
    /// Events folded.
    public var events: Int
    /// Rows per table after the swap.
    public var rows: [String: Int]
}

extension ProjectionComparison {
    /// The comparison as the API and `tocsin rebuild --check --output json` show it.
    public var json: JSONValue {
        .object(
            JSONObject([
                .init(name: "projection", value: .string(projection)),
                .init(name: "through", value: .number(JSONNumber(through))),
                .init(name: "equal", value: .bool(isEqual)),
                .init(
                    name: "tables",
                    value: .array(
                        tables.map { table in
                            .object(
                                JSONObject([
                                    .init(name: "table", value: .string(table.name)),
                                    .init(name: "equal", value: .bool(table.isEqual)),
                                    .init(name: "live_rows", value: .number(JSONNumber(Int64(table.liveRows)))),
                                    .init(name: "rebuilt_rows", value: .number(JSONNumber(Int64(table.rebuiltRows)))),
                                    .init(name: "only_live", value: .number(JSONNumber(Int64(table.onlyLive)))),
                                    .init(name: "only_rebuilt", value: .number(JSONNumber(Int64(table.onlyRebuilt)))),
                                    .init(
                                        name: "differing_keys",
                                        value: .array(table.differingKeys.map { .string($0) })
                                    ),
                                ])
                            )
                        }
                    )
                ),
            ])
        )
    }
}

extension ProjectionRebuild {
    /// The rebuild as the API and `tocsin rebuild --output json` show it.
    public var json: JSONValue {
        .object(
            JSONObject([
                .init(name: "projection", value: .string(projection)),
                .init(name: "through", value: .number(JSONNumber(through))),
                .init(name: "events", value: .number(JSONNumber(Int64(events)))),
                .init(
                    name: "rows",
                    value: .object(
                        JSONObject(
                            rows.sorted { $0.key < $1.key }.map {
                                .init(name: $0.key, value: .number(JSONNumber(Int64($0.value))))
                            }
                        )
                    )
                ),
            ])
        )
    }
}
