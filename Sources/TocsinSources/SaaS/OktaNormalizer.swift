// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Okta System Log events to CloudEvents with an OCSF view: Authentication (3002) for sign-ins
/// (`user.session.*`, `user.authentication.*`), API Activity (6003) otherwise.
///
/// The convention (stable):
/// - `source`: `/okta/system-log`;
/// - `type`: `okta.<eventType>` (`okta.user.session.start`);
/// - `subject`: `actor.alternateId` (the login);
/// - `time`: `published`; `id`: `uuid`;
/// - `data`: the event.
struct OktaNormalizer {
    func normalize(_ record: JSONRecord) throws(SourceError) -> LogEntry {
        let fields = Self.canonicalKeys(record.fields)
        let eventType = try fields.requiredString("eventType")
        let time = fields.optionalTime("published")
        let event = record.event(
            id: fields.string("uuid"),
            source: "/okta/system-log",
            type: "okta.\(eventType.orPlaceholder)",
            subject: fields.string("actor", "alternateId"),
            time: time
        )
        let result = fields.string("outcome", "result")
        let succeeded: Bool? =
            switch result {
            case "SUCCESS", "ALLOW": true
            case "FAILURE", "DENY": false
            default: nil
            }
        let isAuthentication = eventType.hasPrefix("user.session.") || eventType.hasPrefix("user.authentication.")
        var header = OCSFHeader(
            eventClass: isAuthentication ? .authentication : .apiActivity,
            activityID: 99,
            activityName: "Other",
            time: time ?? record.received,
            succeeded: succeeded,
            severityID: Self.severity[fields.string("severity") ?? ""] ?? 1,
            product: "Okta System Log",
            vendor: "Okta",
            logName: "System Log",
            uid: fields.string("uuid"),
            originalTime: fields.string("published")
        )
        if eventType == "user.session.start" || eventType.hasPrefix("user.authentication.") {
            (header.activityID, header.activityName) = (1, "Logon")
        } else if eventType == "user.session.end" {
            (header.activityID, header.activityName) = (2, "Logoff")
        } else if !isAuthentication {
            (header.activityID, header.activityName) = APIVerb.activity(eventType)
        }
        var view = header.object()
        var user = OCSFObject.user(
            name: fields.string("actor", "alternateId"),
            uid: fields.string("actor", "id"),
            type: fields.string("actor", "type")
        )
        user.set("full_name", fields.string("actor", "displayName"))
        view.set("actor", OCSFObject.single("user", user))
        if isAuthentication {
            view.set("user", user)
            view.set("auth_protocol", fields.string("authenticationContext", "credentialType"))
        } else {
            view.set("api", OCSFObject.single("operation", eventType))
        }
        var source = OCSFObject.endpoint(address: fields.string("client", "ipAddress"))
        var location = OCSFObject()
        location.set("city", fields.string("client", "geographicalContext", "city"))
        location.set("region", fields.string("client", "geographicalContext", "state"))
        location.set("country", fields.string("client", "geographicalContext", "country"))
        source.set("location", location)
        view.set("src_endpoint", source)
        view.set("http_request", OCSFObject.single("user_agent", fields.string("client", "userAgent", "rawUserAgent")))
        view.set("status_detail", fields.string("outcome", "reason"))
        view.set("message", fields.string("displayMessage"))
        let targets = fields.array("target").map { element in
            let target = RecordFields(element)
            var resource = OCSFObject()
            resource.set("uid", target.string("id"))
            resource.set("type", target.string("type"))
            resource.set("name", target.string("alternateId") ?? target.string("displayName"))
            return resource.json
        }
        if !targets.isEmpty {
            view.set("resources", value: .array(targets))
        }
        return LogEntry(event: event, ocsf: view.json)
    }

    /// Some pipelines lower-case Okta's top-level keys (`eventtype`); read them under Okta's names.
    private static func canonicalKeys(_ fields: RecordFields) -> RecordFields {
        guard case .object(let object) = fields.value, object["eventType"] == nil, object["eventtype"] != nil else {
            return fields
        }
        let members = object.members.map { member in
            JSONObject.Member(name: camelCase[member.name] ?? member.name, value: member.value)
        }
        return RecordFields(.object(JSONObject(members)))
    }

    private static let camelCase: [String: String] = [
        "eventtype": "eventType", "displaymessage": "displayMessage", "legacyeventtype": "legacyEventType",
        "authenticationcontext": "authenticationContext", "securitycontext": "securityContext",
        "debugcontext": "debugContext",
    ]

    private static let severity: [String: Int64] = ["DEBUG": 1, "INFO": 1, "WARN": 3, "ERROR": 4]
}
