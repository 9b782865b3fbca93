// SPDX-License-Identifier: Apache-2.0

import TocsinCore

extension JSONValue {
    /// A JSON object of `members`, in the order given.
    static func members(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members.map { JSONObject.Member(name: $0.0, value: $0.1) }))
    }
}
