// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// GitHub enterprise and organisation audit log events to CloudEvents with an OCSF view:
/// Authentication (3002) for SSO responses, API Activity (6003) otherwise.
///
/// The convention (stable):
/// - `source`: `/github/<business or org>`;
/// - `type`: `github.audit.<action>` (`github.audit.repo.create`);
/// - `subject`: `actor`;
/// - `time`: `@timestamp` (else `created_at`; epoch milliseconds or RFC 3339);
/// - `id`: `_document_id` (else a SHA-256 prefix of the record);
/// - `data`: the event.
struct GitHubAuditNormalizer {
    func normalize(_ record: JSONRecord) throws(SourceError) -> LogEntry {
        let fields = record.fields
        let action = try fields.requiredString("action")
        let time = fields.optionalTime("@timestamp", or: "created_at")
        let event = record.event(
            id: fields.string("_document_id"),
            source: "/github/\(CloudEvent.sourceSegment(fields.string("business") ?? fields.string("org") ?? "-"))",
            type: "github.audit.\(action.orPlaceholder)",
            subject: fields.string("actor"),
            time: time
        )
        let isSignIn = action.hasSuffix(".sso_response")
        let activity: (id: Int64, name: String) =
            switch (isSignIn, fields.string("operation_type")) {
            case (true, _): (1, "Logon")
            case (false, "create"): (1, "Create")
            case (false, "access"): (2, "Read")
            case (false, "modify"): (3, "Update")
            case (false, "remove"): (4, "Delete")
            default: APIVerb.activity(action)
            }
        var view = OCSFHeader(
            eventClass: isSignIn ? .authentication : .apiActivity,
            activityID: activity.id,
            activityName: activity.name,
            time: time ?? record.received,
            succeeded: nil,
            product: "GitHub Audit Log",
            vendor: "GitHub",
            logName: "audit",
            uid: fields.string("_document_id"),
            originalTime: fields.string("@timestamp")
        ).object()
        let actor = OCSFObject.user(name: fields.string("actor"), uid: fields.string("actor_id"))
        view.set("actor", OCSFObject.single("user", actor))
        if isSignIn {
            view.set("user", actor)
        } else {
            view.set("api", OCSFObject.single("operation", action))
        }
        var source = OCSFObject.endpoint(address: fields.string("actor_ip"))
        source.set("location", OCSFObject.single("country", fields.string("actor_location", "country_code")))
        view.set("src_endpoint", source)
        view.set("http_request", OCSFObject.single("user_agent", fields.string("user_agent")))
        var resources: [JSONValue] = []
        for (key, type) in [("repo", "repository"), ("org", "organization"), ("user", "user"), ("team", "team")] {
            if let name = fields.string(key) {
                var resource = OCSFObject()
                resource.set("name", name)
                resource.set("type", type)
                resources.append(resource.json)
            }
        }
        if !resources.isEmpty {
            view.set("resources", value: .array(resources))
        }
        return LogEntry(event: event, ocsf: view.json)
    }
}
