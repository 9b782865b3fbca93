// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Azure Activity Log records to CloudEvents with an OCSF API Activity (6003) view.
///
/// The convention (stable):
/// - `source`: `/azure/activity/<subscription id>` (the tenant id when the resource has none);
/// - `type`: `azure.activity.<operationName, lower case>` (`azure.activity.microsoft.compute/virtualmachines/delete`);
/// - `subject`: the caller's UPN (`identity.claims`), else `caller`;
/// - `time`: `time`; `id`: SHA-256 prefix of the record (the format has no record id);
/// - `data`: the record.
struct AzureActivityNormalizer {
    static let upnClaim = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"

    func normalize(_ record: JSONRecord) throws(SourceError) -> LogEntry {
        let azure = try AzureRecord(record)
        let fields = azure.fields
        let time = azure.time()
        let operation = try fields.requiredString("operationname")
        let caller =
            fields.string("identity", "claims", Self.upnClaim) ?? fields.string("caller")
            ?? fields.string("properties", "caller")
        let event = record.event(
            id: nil,
            source:
                "/azure/activity/\(CloudEvent.sourceSegment(azure.subscription ?? fields.string("tenantid") ?? "-"))",
            type: "azure.activity.\(operation.lowercased().orPlaceholder)",
            subject: caller,
            time: time
        )
        let activity = APIVerb.activity(operation)
        var view = OCSFHeader(
            eventClass: .apiActivity,
            activityID: activity.id,
            activityName: activity.name,
            time: time ?? record.received,
            succeeded: AzureRecord.outcome(fields.string("resulttype")),
            product: "Azure Activity Log",
            vendor: "Microsoft",
            logName: fields.string("category") ?? "Administrative",
            uid: fields.string("correlationid"),
            originalTime: fields.string("time")
        ).object()
        var api = OCSFObject()
        api.set("operation", operation)
        api.set("request", OCSFObject.single("uid", fields.string("correlationid")))
        view.set("api", api)
        var user = OCSFObject.user(
            name: caller,
            uid: fields.string("identity", "claims", "http://schemas.microsoft.com/identity/claims/objectidentifier")
        )
        user.set("uid_alt", fields.string("identity", "claims", "appid"))
        view.set("actor", OCSFObject.single("user", user))
        view.set("src_endpoint", OCSFObject.endpoint(address: fields.string("calleripaddress")))
        if let resource = fields.string("resourceid") {
            view.set("resources", value: .array([OCSFObject.single("uid", resource).json]))
        }
        view.set(
            "cloud",
            OCSFObject.cloud(provider: "Azure", region: fields.string("location"), account: azure.subscription)
        )
        view.set("status_code", fields.string("resultsignature"))
        return LogEntry(event: event, ocsf: view.json)
    }
}
