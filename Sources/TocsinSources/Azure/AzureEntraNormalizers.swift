// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Microsoft Entra ID sign-in records to CloudEvents with an OCSF Authentication (3002) view.
///
/// The convention (stable):
/// - `source`: `/azure/entra/<tenantId>/signin`;
/// - `type`: `azure.signin.succeeded` or `azure.signin.failed` (`status.errorCode` 0 or not);
/// - `subject`: `properties.userPrincipalName` (the service principal for app sign-ins);
/// - `time`: `time` (else `properties.createdDateTime`); `id`: `properties.id`;
/// - `data`: the record.
struct AzureSignInNormalizer {
    func normalize(_ record: JSONRecord) throws(SourceError) -> LogEntry {
        let azure = try AzureRecord(record)
        let fields = azure.fields
        let properties = try fields.requiredObject("properties")
        var time = azure.time()
        if time == nil {
            time = properties.optionalTime("createdDateTime")
        }
        let errorCode = properties.integer("status", "errorCode") ?? fields.integer("resulttype")
        let succeeded = errorCode.map { $0 == 0 } ?? AzureRecord.outcome(fields.string("resulttype")) ?? false
        let user = properties.string("userPrincipalName") ?? properties.string("servicePrincipalName")
        let event = record.event(
            id: properties.string("id"),
            source:
                "/azure/entra/\(CloudEvent.sourceSegment(fields.string("tenantid") ?? properties.string("homeTenantId") ?? "-"))/signin",
            type: succeeded ? "azure.signin.succeeded" : "azure.signin.failed",
            subject: user,
            time: time
        )
        var view = OCSFHeader(
            eventClass: .authentication,
            activityID: 1,
            activityName: "Logon",
            time: time ?? record.received,
            succeeded: succeeded,
            product: "Entra ID",
            vendor: "Microsoft",
            logName: fields.string("category") ?? "SignInLogs",
            uid: properties.string("id"),
            originalTime: fields.string("time")
        ).object()
        view.set(
            "user",
            OCSFObject.user(name: user, uid: properties.string("userId"), email: properties.string("userPrincipalName"))
        )
        var source = OCSFObject.endpoint(address: properties.string("ipAddress") ?? fields.string("calleripaddress"))
        var location = OCSFObject()
        location.set("city", properties.string("location", "city"))
        location.set("region", properties.string("location", "state"))
        location.set("country", properties.string("location", "countryOrRegion"))
        source.set("location", location)
        view.set("src_endpoint", source)
        if let requirement = properties.string("authenticationRequirement") {
            view.set("is_mfa", requirement == "multiFactorAuthentication")
        }
        var service = OCSFObject()
        service.set("name", properties.string("appDisplayName"))
        service.set("uid", properties.string("appId"))
        view.set("service", service)
        view.set("http_request", OCSFObject.single("user_agent", properties.string("userAgent")))
        view.set("auth_protocol", properties.string("authenticationProtocol") ?? properties.string("clientAppUsed"))
        view.set("status_code", errorCode.map { String($0) })
        view.set("status_detail", properties.string("status", "failureReason") ?? fields.string("resultdescription"))
        var unmapped = OCSFObject()
        unmapped.set("conditional_access_status", properties.string("conditionalAccessStatus"))
        unmapped.set("risk_level", properties.string("riskLevelDuringSignIn"))
        unmapped.set("client_app", properties.string("clientAppUsed"))
        view.set("unmapped", unmapped)
        return LogEntry(event: event, ocsf: view.json)
    }
}

/// Microsoft Entra ID audit records to CloudEvents with an OCSF API Activity (6003) view.
///
/// The convention (stable):
/// - `source`: `/azure/entra/<tenantId>/audit`;
/// - `type`: `azure.audit.<activity>`, the activity display name in lower case with `_` for spaces
///   (`azure.audit.add_member_to_role`);
/// - `subject`: the initiating user's UPN, else the initiating app's name;
/// - `time`: `time`; `id`: `properties.id` (else a SHA-256 prefix of the record);
/// - `data`: the record.
struct AzureAuditNormalizer {
    func normalize(_ record: JSONRecord) throws(SourceError) -> LogEntry {
        let azure = try AzureRecord(record)
        let fields = azure.fields
        let properties = try fields.requiredObject("properties")
        let time = azure.time()
        let isNamed = properties.hasString("activityDisplayName") || fields.hasString("operationname")
        let activity =
            properties.string("activityDisplayName") ?? fields.string("operationname") ?? (isNamed ? "" : nil)
        guard let activity else {
            throw RecordFields.missing(
                ["properties", "activityDisplayName"],
                found: nil,
                expected: "a non-empty string"
            )
        }
        let initiator =
            properties.string("initiatedBy", "user", "userPrincipalName")
            ?? properties.string("initiatedBy", "app", "displayName")
        let event = record.event(
            id: properties.string("id"),
            source: "/azure/entra/\(CloudEvent.sourceSegment(fields.string("tenantid") ?? "-"))/audit",
            type: "azure.audit.\(AzureRecord.typeSegment(activity).orPlaceholder)",
            subject: initiator,
            time: time
        )
        let crud = APIVerb.activity(
            properties.string("operationType") ?? activity.split(separator: " ").first.map(String.init) ?? ""
        )
        var view = OCSFHeader(
            eventClass: .apiActivity,
            activityID: crud.id,
            activityName: crud.name,
            time: time ?? record.received,
            succeeded: AzureRecord.outcome(properties.string("result") ?? fields.string("resulttype")),
            product: "Entra ID",
            vendor: "Microsoft",
            logName: fields.string("category") ?? "AuditLogs",
            uid: properties.string("id"),
            originalTime: fields.string("time")
        ).object()
        var api = OCSFObject()
        api.set("operation", activity)
        api.set("service", OCSFObject.single("name", properties.string("loggedByService")))
        view.set("api", api)
        view.set(
            "actor",
            OCSFObject.single(
                "user",
                OCSFObject.user(name: initiator, uid: properties.string("initiatedBy", "user", "id"))
            )
        )
        view.set(
            "src_endpoint",
            OCSFObject.endpoint(
                address: properties.string("initiatedBy", "user", "ipAddress") ?? fields.string("calleripaddress")
            )
        )
        let targets = properties.array("targetResources").map { element in
            let target = RecordFields(element)
            var resource = OCSFObject()
            resource.set("uid", target.string("id"))
            resource.set("name", target.string("userPrincipalName") ?? target.string("displayName"))
            resource.set("type", target.string("type"))
            return resource.json
        }
        if !targets.isEmpty {
            view.set("resources", value: .array(targets))
        }
        view.set("status_detail", properties.string("resultReason"))
        return LogEntry(event: event, ocsf: view.json)
    }
}
