// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// An Azure diagnostic-settings record with its top-level keys lower-cased: Azure's casing differs
/// between categories and pipelines (`Level`, `calleripaddress`).
struct AzureRecord {
    let fields: RecordFields

    init(_ record: JSONRecord) throws(SourceError) {
        guard case .object(let object) = record.fields.value else {
            throw SourceError(path: "$", message: "expected a JSON object")
        }
        var members: [JSONObject.Member] = []
        var seen: Set<String> = []
        for member in object.members where seen.insert(member.name.lowercased()).inserted {
            members.append(.init(name: member.name.lowercased(), value: member.value))
        }
        fields = RecordFields(.object(JSONObject(members)))
    }

    /// `time`, when present.
    func time() -> Timestamp? {
        fields.optionalTime("time")
    }

    /// The subscription id in `resourceId` (`/subscriptions/<id>/…`).
    var subscription: String? {
        let parts = (fields.string("resourceid") ?? "").split(separator: "/")
        guard let index = parts.firstIndex(where: { $0.lowercased() == "subscriptions" }), index + 1 < parts.count
        else {
            return nil
        }
        return String(parts[index + 1])
    }

    /// A display name made into a type segment: lower case, runs of other characters as `_`.
    static func typeSegment(_ name: String) -> String {
        var output = ""
        var pendingSeparator = false
        for scalar in name.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "/" {
                if pendingSeparator && !output.isEmpty {
                    output += "_"
                }
                pendingSeparator = false
                output.unicodeScalars.append(scalar)
            } else {
                pendingSeparator = true
            }
        }
        return output
    }

    /// `true` for success results, `false` for failures, `nil` for in-progress ones (`Start`).
    static func outcome(_ result: String?) -> Bool? {
        switch result?.lowercased() {
        case "success", "succeeded", "0": return true
        case "failure", "failed": return false
        case nil, "start", "accept", "started", "accepted", "": return nil
        default: return false
        }
    }
}
