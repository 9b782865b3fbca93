// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// GCP Cloud Audit Logs `LogEntry` records (`protoPayload` AuditLog) to CloudEvents with an OCSF API
/// Activity (6003) view.
///
/// A LogEntry carried as `data` (Eventarc's CloudEvent, Pub/Sub) is unwrapped.
///
/// The convention (stable), close to Eventarc's own:
/// - `source`: `//cloudaudit.googleapis.com/projects/<project>/logs/<activity|data_access|…>`;
/// - `type`: `gcp.audit.<methodName>` (`gcp.audit.google.iam.admin.v1.CreateServiceAccountKey`);
/// - `subject`: `authenticationInfo.principalEmail`;
/// - `time`: `timestamp`; `id`: `insertId`;
/// - `data`: the record as received.
struct GCPAuditNormalizer {
    func normalize(_ record: JSONRecord) throws(SourceError) -> LogEntry {
        var entry = record.fields
        if entry.member("protoPayload") == nil, case .object = entry.member("data") {
            entry = try entry.requiredObject("data")
        }
        let payload = try entry.requiredObject("protoPayload")
        let method = try payload.requiredString("methodName")
        let time = entry.optionalTime("timestamp")
        let logName = entry.string("logName") ?? ""
        let project = entry.string("resource", "labels", "project_id") ?? Self.project(logName) ?? "-"
        let event = record.event(
            id: entry.string("insertId"),
            source:
                "//cloudaudit.googleapis.com/projects/\(CloudEvent.sourceSegment(project))/logs/\(CloudEvent.sourceSegment(Self.logID(logName)))",
            type: "gcp.audit.\(method.orPlaceholder)",
            subject: payload.string("authenticationInfo", "principalEmail"),
            time: time
        )
        return LogEntry(
            event: event,
            ocsf: view(entry, payload: payload, method: method, project: project, time: time ?? record.received)
        )
    }

    /// `activity` from `projects/p/logs/cloudaudit.googleapis.com%2Factivity`.
    private static func logID(_ logName: String) -> String {
        guard let last = logName.split(separator: "/").last else {
            return "-"
        }
        let decoded = last.replacingPercent2F()
        let prefix = "cloudaudit.googleapis.com/"
        return decoded.hasPrefix(prefix) ? String(decoded.dropFirst(prefix.count)) : decoded
    }

    private static func project(_ logName: String) -> String? {
        let parts = logName.split(separator: "/")
        guard parts.count >= 2, parts[0] == "projects" else {
            return nil
        }
        return String(parts[1])
    }

    private func view(
        _ entry: RecordFields,
        payload: RecordFields,
        method: String,
        project: String,
        time: Timestamp
    ) -> JSONValue {
        let code = payload.integer("status", "code") ?? 0
        let activity = APIVerb.activity(method)
        var event = OCSFHeader(
            eventClass: .apiActivity,
            activityID: activity.id,
            activityName: activity.name,
            time: time,
            succeeded: code == 0,
            severityID: entry.string("severity") == "ERROR" ? 3 : 1,
            product: "Cloud Audit Logs",
            vendor: "Google",
            logName: entry.string("logName") ?? "cloudaudit",
            uid: entry.string("insertId"),
            originalTime: entry.string("timestamp")
        ).object()
        var api = OCSFObject()
        api.set("operation", method)
        api.set("service", OCSFObject.single("name", payload.string("serviceName")))
        var response = OCSFObject()
        response.set("code", code)
        response.set("message", payload.string("status", "message"))
        api.set("response", response)
        event.set("api", api)
        let principal = payload.string("authenticationInfo", "principalEmail")
        var user = OCSFObject.user(name: principal, email: principal)
        user.set("uid", payload.string("authenticationInfo", "principalSubject"))
        event.set("actor", OCSFObject.single("user", user))
        event.set("src_endpoint", OCSFObject.endpoint(address: payload.string("requestMetadata", "callerIp")))
        event.set(
            "http_request",
            OCSFObject.single("user_agent", payload.string("requestMetadata", "callerSuppliedUserAgent"))
        )
        var resource = OCSFObject()
        resource.set("uid", payload.string("resourceName"))
        resource.set("type", entry.string("resource", "type"))
        if !resource.isEmpty {
            event.set("resources", value: .array([resource.json]))
        }
        event.set(
            "cloud",
            OCSFObject.cloud(
                provider: "GCP",
                region: payload.array("resourceLocation", "currentLocations").first?.stringValue,
                account: project
            )
        )
        if code != 0 {
            event.set("status_code", String(code))
            event.set("status_detail", payload.string("status", "message"))
        }
        return event.json
    }
}

extension Substring {
    /// The log id with `%2F` decoded (`cloudaudit.googleapis.com%2Factivity`).
    fileprivate func replacingPercent2F() -> String {
        var output = ""
        var rest = self[...]
        while let range = rest.firstRange(of: "%2F") {
            output += rest[..<range.lowerBound] + "/"
            rest = rest[range.upperBound...]
        }
        return output + rest
    }
}
