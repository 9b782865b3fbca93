// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The OCSF view of a CloudTrail record (the AWS Security Lake / ocsf/examples mapping).
struct CloudTrailOCSF {
    let fields: RecordFields
    /// `userIdentity`, read once.
    let identity: RecordFields
    let eventName: String
    let time: Timestamp

    func view() -> JSONValue {
        let errorCode = fields.string("errorCode")
        let consoleResult = fields.string("responseElements", "ConsoleLogin")
        let succeeded = consoleResult.map { $0 == "Success" } ?? (errorCode == nil)
        var header = OCSFHeader(
            eventClass: .apiActivity,
            activityID: 0,
            activityName: "",
            time: time,
            succeeded: succeeded,
            product: "CloudTrail",
            vendor: "AWS",
            logName: fields.string("eventCategory") ?? "Management",
            uid: fields.string("eventID"),
            originalTime: fields.string("eventTime")
        )
        if Self.authentication.contains(eventName) {
            header.eventClass = .authentication
            let isLogon =
                eventName == "ConsoleLogin" || eventName.hasPrefix("AssumeRole")
                || eventName == "ExternalIdPDirectoryLogin"
            (header.activityID, header.activityName) = isLogon ? (1, "Logon") : (99, "Other")
        } else if let activity = Self.accountChanges[eventName] {
            header.eventClass = .accountChange
            (header.activityID, header.activityName) = activity
        } else {
            (header.activityID, header.activityName) = APIVerb.activity(eventName)
        }
        var event = header.object()
        event.set("actor", actor())
        event.set("api", api(errorCode: errorCode))
        event.set("src_endpoint", sourceEndpoint())
        var http = OCSFObject()
        http.set("user_agent", fields.string("userAgent"))
        event.set("http_request", http)
        var cloud = OCSFObject()
        cloud.set("provider", "AWS")
        cloud.set("region", fields.string("awsRegion"))
        var account = OCSFObject()
        account.set("uid", fields.string("recipientAccountId"))
        cloud.set("account", account)
        event.set("cloud", cloud)
        event.set("resources", value: resources())
        event.set("status_code", errorCode)
        event.set("status_detail", fields.string("errorMessage"))
        switch header.eventClass.uid {
        case OCSFClass.authentication.uid: addAuthentication(to: &event)
        case OCSFClass.accountChange.uid: addAccountChange(to: &event)
        default: break
        }
        return event.json
    }

    private func actor() -> OCSFObject {
        var user = OCSFObject()
        user.set("type", identity.string("type"))
        user.set("uid", identity.string("arn"))
        user.set("uid_alt", identity.string("principalId"))
        user.set("name", identity.string("userName") ?? identity.string("sessionContext", "sessionIssuer", "userName"))
        user.set("credential_uid", identity.string("accessKeyId"))
        var account = OCSFObject()
        account.set("uid", identity.string("accountId"))
        user.set("account", account)
        var session = OCSFObject()
        session.set("issuer", identity.string("sessionContext", "sessionIssuer", "arn"))
        session.set("is_mfa", identity.bool("sessionContext", "attributes", "mfaAuthenticated"))
        session.set("created_time_dt", identity.string("sessionContext", "attributes", "creationDate"))
        session.set("credential_uid", identity.string("accessKeyId"))
        var actor = OCSFObject()
        actor.set("user", user)
        actor.set("session", session)
        actor.set("invoked_by", identity.string("invokedBy"))
        var idp = OCSFObject()
        idp.set(
            "name",
            identity.string("identityProvider") ?? identity.string("webIdFederationData", "federatedProvider")
        )
        actor.set("idp", idp)
        return actor
    }

    private func api(errorCode: String?) -> OCSFObject {
        var service = OCSFObject()
        service.set("name", fields.string("eventSource"))
        var request = OCSFObject()
        request.set("uid", fields.string("requestID"))
        var response = OCSFObject()
        response.set("error", errorCode)
        response.set("message", fields.string("errorMessage"))
        var api = OCSFObject()
        api.set("operation", eventName)
        api.set("service", service)
        api.set("version", fields.string("apiVersion"))
        api.set("request", request)
        api.set("response", response)
        return api
    }

    private func sourceEndpoint() -> OCSFObject {
        var endpoint = OCSFObject.endpoint(address: fields.string("sourceIPAddress"))
        endpoint.set("uid", fields.string("vpcEndpointId"))
        return endpoint
    }

    private func resources() -> JSONValue? {
        let listed = fields.array("resources").map { element in
            let resource = RecordFields(element)
            var object = OCSFObject()
            object.set("uid", resource.string("ARN"))
            object.set("type", resource.string("type"))
            var owner = OCSFObject()
            var account = OCSFObject()
            account.set("uid", resource.string("accountId"))
            owner.set("account", account)
            object.set("owner", owner)
            return object.json
        }
        return listed.isEmpty ? nil : .array(listed)
    }

    private func addAuthentication(to event: inout OCSFObject) {
        let additional = fields.optionalMembers("additionalEventData")
        let request = fields.optionalMembers("requestParameters")
        let response = fields.optionalMembers("responseElements")
        let mfa = additional.string("MFAUsed").map { $0.lowercased() == "yes" }
        event.set("is_mfa", mfa ?? identity.bool("sessionContext", "attributes", "mfaAuthenticated"))
        var user = OCSFObject()
        user.set("uid", request.string("roleArn") ?? identity.string("arn"))
        user.set("name", identity.string("userName") ?? request.string("roleSessionName"))
        user.set("type", identity.string("type"))
        event.set("user", user)
        var session = OCSFObject()
        session.set("uid", response.string("assumedRoleUser", "arn"))
        session.set("credential_uid", response.string("credentials", "accessKeyId"))
        event.set("session", session)
        var destination = OCSFObject()
        destination.set("svc_name", additional.string("LoginTo"))
        event.set("dst_endpoint", destination)
    }

    private func addAccountChange(to event: inout OCSFObject) {
        let request = fields.optionalMembers("requestParameters")
        var user = OCSFObject()
        user.set("uid", fields.string("responseElements", "user", "userId"))
        user.set("name", request.string("userName") ?? request.string("roleName"))
        event.set("user", user)
        var policy = OCSFObject()
        policy.set("uid", request.string("policyArn"))
        policy.set("name", request.string("policyName"))
        event.set("policy", policy)
    }

    private static let authentication: Set<String> = [
        "ConsoleLogin", "ExternalIdPDirectoryLogin", "CheckMfa", "CredentialChallenge", "CredentialVerification",
        "UserAuthentication", "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity",
    ]

    private static let accountChanges: [String: (Int64, String)] = {
        var table: [String: (Int64, String)] = [:]
        let groups: [(Int64, String, [String])] = [
            (
                1, "Create",
                ["CreateUser", "CreateRole", "CreateLoginProfile", "CreateAccessKey", "CreateServiceLinkedRole"]
            ),
            (3, "Password Change", ["ChangePassword", "UpdateLoginProfile", "UpdateAccountPasswordPolicy"]),
            (5, "Disable", ["UpdateAccessKey", "DeleteLoginProfile"]),
            (6, "Delete", ["DeleteUser", "DeleteRole", "DeleteAccessKey", "DeleteServiceLinkedRole"]),
            (
                7, "Attach Policy",
                [
                    "AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy", "PutUserPolicy", "PutRolePolicy",
                    "PutGroupPolicy", "UpdateAssumeRolePolicy", "AddUserToGroup", "PutRolePermissionsBoundary",
                    "PutUserPermissionsBoundary",
                ]
            ),
            (
                8, "Detach Policy",
                [
                    "DetachUserPolicy", "DetachRolePolicy", "DetachGroupPolicy", "DeleteUserPolicy", "DeleteRolePolicy",
                    "DeleteGroupPolicy", "RemoveUserFromGroup",
                ]
            ),
            (10, "MFA Factor Enable", ["EnableMFADevice", "CreateVirtualMFADevice", "ResyncMFADevice"]),
            (11, "MFA Factor Disable", ["DeactivateMFADevice", "DeleteVirtualMFADevice"]),
        ]
        for (id, name, events) in groups {
            for event in events {
                table[event] = (id, name)
            }
        }
        return table
    }()
}
