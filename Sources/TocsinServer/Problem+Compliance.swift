// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import TocsinCore

extension Problem {
    /// The `400` for an event the compliance policy rejects: the entry, the field and the category,
    /// never the value.
    ///
    /// - Parameters:
    ///   - rejection: What the policy rejected.
    ///   - entry: The position of the event or record in the request body, from 0; `nil` for a
    ///     request that carries one event.
    ///   - stored: What of the request was stored, for the detail.
    /// - Returns: The problem, with `path`, `category` and, for a body of several events, `index`.
    static func complianceRejected(_ rejection: ComplianceRejection, entry: Int?, stored: String) -> Problem {
        var extensions: [JSONObject.Member] = [
            .init(name: "path", value: .string(rejection.path)),
            .init(name: "category", value: .string(rejection.category)),
        ]
        var detail = rejection.description + "; " + stored
        if let entry {
            extensions.append(.init(name: "index", value: .number(JSONNumber(Int64(entry)))))
            detail = "entry \(entry): " + detail
        }
        return Problem(
            .badRequest,
            code: "compliance-rejected",
            title: "The compliance policy rejects the event",
            detail: detail,
            extensions: extensions
        )
    }
}
