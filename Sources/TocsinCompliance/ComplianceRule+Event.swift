// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

extension ComplianceRule {
    /// The rule's `field` for a path written from the event's root, which must go through `data`.
    ///
    /// Policies apply to an event's data, so `$.data.user.email` becomes `$.user.email`.
    ///
    /// - Parameter eventPath: A path such as `$.data.user`.
    /// - Returns: The path inside the data, or `nil` when `eventPath` does not start with `$.data`.
    public static func dataField(_ eventPath: JSONPath) -> String? {
        guard case .member("data")? = eventPath.steps.first else {
            return nil
        }
        return JSONPathText.render(Array(eventPath.steps.dropFirst()))
    }

    /// The path of a finding inside an event's data, written from the event's root (`$.user` becomes
    /// `$.data.user`).
    public static func eventPath(ofDataPath path: String) -> String {
        "$.data" + path.dropFirst()
    }
}
