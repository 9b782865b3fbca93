// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Kubernetes `audit.k8s.io/v1` events to CloudEvents with an OCSF API Activity (6003) view.
///
/// The convention (stable):
/// - `source`: `/k8s/audit`, or `/k8s/<cluster>/audit` when the sender names its cluster;
/// - `type`: `k8s.audit.<verb>.<resource>[.<subresource>]` (`k8s.audit.create.pods.exec`), or
///   `k8s.audit.<verb>` for non-resource URLs;
/// - `subject`: `user.username`;
/// - `time`: `requestReceivedTimestamp` (else `stageTimestamp`);
/// - `id`: `<auditID>/<stage>`: every stage of one request is its own event;
/// - `data`: the event.
struct KubernetesAuditNormalizer {
    /// The cluster the events come from, when the sender names it (`?cluster=`).
    var cluster: String?

    func normalize(_ record: JSONRecord) throws(SourceError) -> LogEntry {
        let fields = record.fields
        let verb = try fields.requiredString("verb")
        let time = fields.optionalTime("requestReceivedTimestamp", or: "stageTimestamp")
        var type = "k8s.audit.\(verb.orPlaceholder)"
        if let resource = fields.string("objectRef", "resource") {
            type += ".\(resource)"
            if let subresource = fields.string("objectRef", "subresource") {
                type += ".\(subresource)"
            }
        }
        let event = record.event(
            id: fields.string("auditID").map { "\($0)/\(fields.string("stage") ?? "-")" },
            source: cluster.map { "/k8s/\(CloudEvent.sourceSegment($0))/audit" } ?? "/k8s/audit",
            type: type,
            subject: fields.string("user", "username"),
            time: time
        )
        return LogEntry(event: event, ocsf: view(fields, verb: verb, time: time ?? record.received))
    }

    private func view(_ fields: RecordFields, verb: String, time: Timestamp) -> JSONValue {
        let code = fields.integer("responseStatus", "code")
        let activity: (Int64, String) =
            switch verb {
            case "create": (1, "Create")
            case "get", "list", "watch": (2, "Read")
            case "update", "patch": (3, "Update")
            case "delete", "deletecollection": (4, "Delete")
            default: (99, "Other")
            }
        var event = OCSFHeader(
            eventClass: .apiActivity,
            activityID: activity.0,
            activityName: activity.1,
            time: time,
            succeeded: code.map { $0 < 400 },
            product: "Kubernetes",
            vendor: "Kubernetes",
            logName: "audit",
            uid: fields.string("auditID"),
            originalTime: fields.string("requestReceivedTimestamp")
        ).object()
        var api = OCSFObject()
        api.set("operation", verb)
        api.set("request", OCSFObject.single("uid", fields.string("auditID")))
        api.set("version", fields.string("objectRef", "apiVersion"))
        var response = OCSFObject()
        response.set("code", code)
        response.set("message", fields.string("responseStatus", "reason"))
        api.set("response", response)
        event.set("api", api)
        var user = OCSFObject.user(name: fields.string("user", "username"), uid: fields.string("user", "uid"))
        let groups = fields.array("user", "groups").compactMap(\.stringValue).map { name in
            JSONValue.object(JSONObject([.init(name: "name", value: .string(name))]))
        }
        if !groups.isEmpty {
            user.set("groups", value: .array(groups))
        }
        event.set("actor", OCSFObject.single("user", user))
        event.set("src_endpoint", OCSFObject.endpoint(address: fields.array("sourceIPs").first?.stringValue))
        var http = OCSFObject()
        http.set("url", OCSFObject.single("path", fields.string("requestURI")))
        http.set("user_agent", fields.string("userAgent"))
        event.set("http_request", http)
        var resource = OCSFObject()
        resource.set("type", fields.string("objectRef", "resource"))
        resource.set("name", fields.string("objectRef", "name"))
        resource.set("namespace", fields.string("objectRef", "namespace"))
        resource.set("uid", fields.string("objectRef", "uid"))
        if !resource.isEmpty {
            event.set("resources", value: .array([resource.json]))
        }
        event.set("status_code", code.map { String($0) })
        var unmapped = OCSFObject()
        unmapped.set("decision", fields.string("annotations", "authorization.k8s.io/decision"))
        unmapped.set("subresource", fields.string("objectRef", "subresource"))
        unmapped.set("stage", fields.string("stage"))
        event.set("unmapped", unmapped)
        return event.json
    }
}
