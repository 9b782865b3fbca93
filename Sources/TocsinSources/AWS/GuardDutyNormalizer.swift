// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// AWS GuardDuty findings (bare, or in the EventBridge envelope) to CloudEvents with an OCSF
/// Detection Finding (2004) view.
///
/// The convention (stable):
/// - `source`: `/aws/guardduty/<accountId>/<region>`;
/// - `type`: `aws.guardduty.finding`;
/// - `subject`: the finding type (`UnauthorizedAccess:EC2/SSHBruteForce`);
/// - `time`: `updatedAt` (else `createdAt`);
/// - `id`: `<finding id>@<updatedAt>`: a finding re-sent with an update is a new event, the same
///   version ingested twice is a duplicate;
/// - `data`: the finding (or the whole envelope).
struct GuardDutyNormalizer {
    func normalize(_ record: JSONRecord) throws(SourceError) -> LogEntry {
        var finding = record.fields
        if finding.member("detail-type") != nil {
            finding = try finding.requiredObject("detail")
        }
        let id = try finding.requiredString("id")
        let type = try finding.requiredString("type")
        guard case .number(let severityNumber) = finding.member("severity"), let severity = Double(severityNumber.text)
        else {
            throw RecordFields.missing(["severity"], found: finding.member("severity"), expected: "a number")
        }
        let time = finding.optionalTime("updatedAt", or: "createdAt")
        let event = record.event(
            id: "\(id.orPlaceholder)@\(finding.string("updatedAt") ?? finding.string("createdAt") ?? "-")",
            source:
                "/aws/guardduty/\(CloudEvent.sourceSegment(finding.string("accountId") ?? "-"))/\(CloudEvent.sourceSegment(finding.string("region") ?? "-"))",
            type: "aws.guardduty.finding",
            subject: type,
            time: time
        )
        return LogEntry(
            event: event,
            ocsf: view(finding, type: type, severity: severity, time: time ?? record.received)
        )
    }

    private func view(_ finding: RecordFields, type: String, severity: Double, time: Timestamp) -> JSONValue {
        let isUpdate =
            (finding.integer("service", "count") ?? 1) > 1
            || finding.string("updatedAt") != finding.string("createdAt")
        let severityID: Int64 = severity >= 9 ? 5 : severity >= 7 ? 4 : severity >= 4 ? 3 : 2
        var event = OCSFHeader(
            eventClass: .detectionFinding,
            activityID: isUpdate ? 2 : 1,
            activityName: isUpdate ? "Update" : "Create",
            time: time,
            succeeded: nil,
            severityID: severityID,
            product: "GuardDuty",
            vendor: "AWS",
            logName: "GuardDuty Findings",
            uid: finding.string("id"),
            originalTime: finding.string("updatedAt")
        ).object()
        var info = OCSFObject()
        info.set("uid", finding.string("arn") ?? finding.string("id"))
        info.set("title", finding.string("title"))
        info.set("desc", finding.string("description"))
        info.set("types", value: .array([.string(type)]))
        info.set("created_time", finding.time("createdAt")?.epochMilliseconds)
        info.set("modified_time", finding.time("updatedAt")?.epochMilliseconds)
        info.set("first_seen_time", finding.time("service", "eventFirstSeen")?.epochMilliseconds)
        info.set("last_seen_time", finding.time("service", "eventLastSeen")?.epochMilliseconds)
        event.set("finding_info", info)
        event.set("is_alert", true)
        event.set("confidence_score", finding.integer("confidence"))
        var resource = OCSFObject()
        resource.set("type", finding.string("resource", "resourceType"))
        resource.set(
            "uid",
            finding.string("resource", "instanceDetails", "instanceId")
                ?? finding.string("resource", "accessKeyDetails", "accessKeyId")
        )
        if !resource.isEmpty {
            event.set("resources", value: .array([resource.json]))
        }
        let user = OCSFObject.user(
            name: finding.string("resource", "accessKeyDetails", "userName"),
            uid: finding.string("resource", "accessKeyDetails", "principalId"),
            type: finding.string("resource", "accessKeyDetails", "userType")
        )
        event.set("actor", OCSFObject.single("user", user))
        event.set("src_endpoint", remoteEndpoint(finding))
        event.set(
            "cloud",
            OCSFObject.cloud(provider: "AWS", region: finding.string("region"), account: finding.string("accountId"))
        )
        var unmapped = OCSFObject()
        unmapped.set("sample", finding.bool("service", "additionalInfo", "sample"))
        unmapped.set("action_type", finding.string("service", "action", "actionType"))
        event.set("unmapped", unmapped)
        return event.json
    }

    private func remoteEndpoint(_ finding: RecordFields) -> OCSFObject {
        for action in [
            "awsApiCallAction", "networkConnectionAction", "kubernetesApiCallAction", "rdsLoginAttemptAction",
        ] {
            let details = RecordFields(finding.member("service", "action", action, "remoteIpDetails") ?? .null)
            guard let address = details.string("ipAddressV4") ?? details.string("ipAddressV6") else {
                continue
            }
            var endpoint = OCSFObject.endpoint(address: address)
            var location = OCSFObject()
            location.set("country", details.string("country", "countryName"))
            location.set("city", details.string("city", "cityName"))
            endpoint.set("location", location)
            return endpoint
        }
        return OCSFObject()
    }
}
