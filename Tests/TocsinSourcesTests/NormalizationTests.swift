// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinSources

/// The normalised fields of chosen records, one or more per source.
struct NormalizationTests {
    func decode(_ format: SourceFormat, _ text: String) throws -> SourceBatch {
        try SourceDecoder(format: format, referenceMilliseconds: SourceFixtures.reference).decode(Array(text.utf8))
    }

    /// The fixture line that contains every one of `needles`.
    func line(_ folder: String, containing needles: String...) throws -> String {
        for file in try SourceFixtures.files(folder) {
            let text = String(decoding: try SourceFixtures.bytes(folder, file.lastPathComponent), as: UTF8.self)
            for line in text.split(separator: "\n") where needles.allSatisfy({ line.contains($0) }) {
                return String(line)
            }
        }
        throw SourceError(offset: 0, message: "no fixture line has \(needles)")
    }

    @Test func failedConsoleLoginWithoutMFA() throws {
        let (event, ocsf) = try SourceFixtures.entry(.cloudtrail, "cloudtrail", "cloudtrail-integration-block08.json")
        #expect(event.type == "aws.cloudtrail.signin.ConsoleLogin")
        #expect(event.id == "11ea990b-4678-4bcd-8fbe-62509088b7cf")
        #expect(event.source == "/aws/cloudtrail/111122223333/us-east-2")
        #expect(event.subject == "arn:aws:iam::111122223333:user/JaneDoe")
        #expect(event.time?.text == "2014-07-08T17:35:27Z")
        #expect(
            ocsf.text("class_uid") == "3002" && ocsf.text("activity_id") == "1" && ocsf.text("type_uid") == "300201"
        )
        #expect(ocsf.text("status_id") == "2" && ocsf.text("status_detail") == "Failed authentication")
        #expect(ocsf.text("is_mfa") == "false")
        #expect(ocsf.text("user.name") == "JaneDoe" && ocsf.text("src_endpoint.ip") == "192.0.2.100")
        #expect(ocsf.text("dst_endpoint.svc_name") == "https://console.aws.amazon.com/sns")
        guard case .json(let data) = event.data else {
            Issue.record("the record is kept as JSON data")
            return
        }
        let file = try SourceFixtures.bytes("cloudtrail", "cloudtrail-integration-block08.json")
        #expect(
            String(decoding: data, as: UTF8.self)
                == String(decoding: file, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }

    @Test func assumedRoleCallWithAnError() throws {
        let record = try line(
            "cloudtrail",
            containing: "\"type\":\"AssumedRole\"",
            "\"errorCode\":\"UnauthorizedOperation\"",
            "ModifyImageAttribute"
        )
        let entry = try #require(try decode(.cloudtrail, record).entries.first)
        let ocsf = try #require(entry.ocsf)
        #expect(entry.event.type == "aws.cloudtrail.ec2.ModifyImageAttribute")
        #expect(entry.event.subject == "arn:aws:sts::123456789012:assumed-role/example-role/example-user")
        #expect(ocsf.text("class_uid") == "6003" && ocsf.text("activity_name") == "Update")
        #expect(ocsf.text("status_id") == "2" && ocsf.text("status_code") == "UnauthorizedOperation")
        #expect(ocsf.text("api.response.error") == "UnauthorizedOperation")
        #expect(
            ocsf.text("api.service.name") == "ec2.amazonaws.com" && ocsf.text("api.operation") == "ModifyImageAttribute"
        )
        #expect(ocsf.text("actor.user.type") == "AssumedRole")
        #expect(ocsf.text("actor.session.issuer") == "arn:aws:iam::123456789012:role/example-role")
        #expect(ocsf.text("actor.session.is_mfa") == "true")
        #expect(ocsf.text("cloud.account.uid") == "123456789012" && ocsf.text("cloud.region") == "us-west-2")
    }

    @Test func cloudTrailWrappersAndServicePrincipals() throws {
        let batch = try SourceFixtures.decode(.cloudtrail, "cloudtrail", "cloudtrail-log-file-examples-block09.json")
        #expect(batch.rejected.isEmpty && batch.entries.count >= 2)
        #expect(batch.entries.allSatisfy { $0.event.type.hasPrefix("aws.cloudtrail.insight.") })
        #expect(batch.positions.map(\.index) == Array(0..<batch.entries.count))
        let envelope = """
            {"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"123456789012",
             "time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],
             "detail":{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"iam.amazonaws.com",
             "eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"cloudformation.amazonaws.com",
             "userIdentity":{"type":"AWSService","invokedBy":"cloudformation.amazonaws.com"},
             "requestParameters":{"userName":"mallory"},"eventID":"ev-1","recipientAccountId":"123456789012"}}
            """
        let entry = try #require(try decode(.cloudtrail, envelope).entries.first)
        #expect(entry.event.type == "aws.cloudtrail.iam.CreateUser" && entry.event.id == "ev-1")
        #expect(entry.event.subject == "cloudformation.amazonaws.com")
        #expect(entry.ocsf?.text("class_uid") == "3001" && entry.ocsf?.text("activity_name") == "Create")
        #expect(entry.ocsf?.text("src_endpoint.domain") == "cloudformation.amazonaws.com")
        #expect(entry.ocsf?.text("user.name") == "mallory")
    }

    @Test func flowLogRejectAndIPv6() throws {
        let batch = try SourceFixtures.decode(.vpcflow, "vpcflow", "default-format-v2.log")
        #expect(batch.rejected.isEmpty)
        let reject = try #require(batch.entries.first { $0.event.type == "aws.vpcflow.reject" })
        let ocsf = try #require(reject.ocsf)
        #expect(reject.event.source == "/aws/vpcflow/123456789010/eni-1235b8ca123456789")
        #expect(reject.event.subject == "172.31.9.69" && reject.event.time?.epochMilliseconds == 1_418_530_010_000)
        #expect(ocsf.text("class_uid") == "4001" && ocsf.text("activity_name") == "Refuse")
        #expect(ocsf.text("action_id") == "2" && ocsf.text("disposition") == "Blocked")
        #expect(ocsf.text("dst_endpoint.port") == "3389" && ocsf.text("connection_info.protocol_name") == "tcp")
        #expect(ocsf.text("traffic.bytes") == "4249" && ocsf.text("traffic.packets") == "20")
        let ipv6 = try #require(batch.entries.first { $0.event.subject?.contains(":") == true })
        #expect(IPAddress.parse(ipv6.ocsf?.text("src_endpoint.ip") ?? "") != nil)
        #expect(batch.entries.contains { $0.event.type == "aws.vpcflow.nodata" && $0.ocsf == nil })
        let custom = try SourceFixtures.decode(.vpcflow, "vpcflow", "traffic-path-custom-v5.log")
        #expect(custom.rejected.isEmpty && custom.entries.count == 2)
        #expect(custom.entries.contains { $0.ocsf?.text("connection_info.direction") == "Outbound" })
    }

    @Test func kubernetesExecIntoAPod() throws {
        let entry = try SourceFixtures.decode(.k8sAudit, "k8s-audit", "k8s_exec_into_pod.ndjson").entries[0]
        let ocsf = try #require(entry.ocsf)
        #expect(entry.event.type == "k8s.audit.create.pods.exec" && entry.event.id == "abc-123/-")
        #expect(entry.event.subject == "john.doe@example.com" && entry.event.source == "/k8s/audit")
        let named = try SourceDecoder(
            format: .k8sAudit,
            referenceMilliseconds: SourceFixtures.reference,
            cluster: "prod-eu.1"
        )
        .decode(try SourceFixtures.bytes("k8s-audit", "k8s_exec_into_pod.ndjson")).entries[0]
        #expect(named.event.source == "/k8s/prod-eu.1/audit" && named.event.id == entry.event.id)
        #expect(SourceDecoder.isValidCluster("gke_project_zone_name") && !SourceDecoder.isValidCluster("-x"))
        #expect(
            !SourceDecoder.isValidCluster("a/b") && !SourceDecoder.isValidCluster(String(repeating: "a", count: 64))
        )
        #expect(ocsf.text("class_uid") == "6003" && ocsf.text("activity_name") == "Create")
        #expect(ocsf.text("src_endpoint.ip") == "1.2.3.4" && ocsf.text("status_id") == "1")
        #expect(ocsf.text("http_request.url.path") == "/api/v1/namespaces/default/pods/nginx-pod/exec")
        guard case .array(let resources) = ocsf.at("resources") else {
            Issue.record("resources")
            return
        }
        #expect(resources[0].text("name") == "nginx-pod" && resources[0].text("namespace") == "default")
        let list = """
            {"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[
             {"kind":"Event","auditID":"a1","stage":"ResponseComplete","verb":"get","user":{"username":"system:anonymous"},
              "sourceIPs":["2001:db8::7"],"objectRef":{"resource":"secrets","namespace":"kube-system"},
              "responseStatus":{"code":403},"requestReceivedTimestamp":"2026-01-01T00:00:00.123456Z"}]}
            """
        let denied = try #require(try decode(.k8sAudit, list).entries.first)
        #expect(denied.event.id == "a1/ResponseComplete" && denied.ocsf?.text("status_id") == "2")
        #expect(denied.ocsf?.text("src_endpoint.ip") == "2001:db8::7")
    }

    @Test func sshdInvalidUserFromIPv6() throws {
        let entry = try #require(
            try decode(.syslog, "<38>Nov 25 10:00:01 bastion sshd[77]: Invalid user admin from 2001:db8::5 port 4242")
                .entries.first
        )
        #expect(entry.event.type == "ssh.login.invalid_user" && entry.event.subject == "admin")
        #expect(entry.ocsf?.text("class_uid") == "3002" && entry.ocsf?.text("status_id") == "2")
        #expect(entry.ocsf?.text("src_endpoint.ip") == "2001:db8::5")
    }

    @Test func guardDutyFinding() throws {
        let entry = try SourceFixtures.decode(.guardduty, "guardduty", "aws_guardduty_high_sev_findings.ndjson")
            .entries[0]
        #expect(entry.event.type == "aws.guardduty.finding")
        #expect(entry.event.subject == "PrivilegeEscalation:IAMUser/AdministrativePermissions")
        #expect(entry.ocsf?.text("class_uid") == "2004" && entry.ocsf?.text("severity_id") == "4")
        #expect(
            entry.ocsf?.at("finding_info.types")
                == .array([.string("PrivilegeEscalation:IAMUser/AdministrativePermissions")])
        )
        let envelope = """
            {"version":"0","id":"x","detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":
             {"id":"f1","type":"UnauthorizedAccess:EC2/SSHBruteForce","severity":9.5,"accountId":"1","region":"eu-west-1",
              "createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T01:00:00Z",
              "service":{"count":3,"action":{"networkConnectionAction":{"remoteIpDetails":{"ipAddressV4":"198.51.100.7"}}}}}}
            """
        let finding = try #require(try decode(.guardduty, envelope).entries.first)
        #expect(finding.event.id == "f1@2026-01-01T01:00:00Z" && finding.event.source == "/aws/guardduty/1/eu-west-1")
        #expect(finding.ocsf?.text("severity_id") == "5" && finding.ocsf?.text("activity_name") == "Update")
        #expect(finding.ocsf?.text("src_endpoint.ip") == "198.51.100.7")
        let exported = """
            {"Findings":[{"id":"f2","type":"Recon:EC2/PortProbeUnprotectedPort","severity":2,"accountId":"1",
              "region":"eu-west-1","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"},
             {"id":"f3","type":"Backdoor:EC2/C&CActivity.B","severity":8,"accountId":"1","region":"eu-west-1",
              "createdAt":"2026-01-02T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z"}]}
            """
        let findings = try decode(.guardduty, exported)
        #expect(
            findings.entries.map(\.event.subject) == [
                "Recon:EC2/PortProbeUnprotectedPort", "Backdoor:EC2/C&CActivity.B",
            ]
        )
        #expect(findings.rejected.isEmpty)
    }

    @Test func gcpAuditLogEntry() throws {
        let entry = try SourceFixtures.decode(.gcpAudit, "gcp-audit", "LogEntryData-pubsubCreateTopic.json").entries[0]
        #expect(entry.event.type == "gcp.audit.google.pubsub.v1.Publisher.CreateTopic")
        #expect(entry.event.source == "//cloudaudit.googleapis.com/projects/test-project/logs/activity")
        #expect(entry.event.subject == "robot@test-project.iam.gserviceaccount.com" && entry.event.id == "9frck8cf9j")
        #expect(entry.ocsf?.text("class_uid") == "6003" && entry.ocsf?.text("activity_name") == "Create")
        #expect(entry.ocsf?.text("cloud.provider") == "GCP" && entry.ocsf?.text("status_id") == "1")
    }

    @Test func azureSignInActivityAndAudit() throws {
        let failed = try line("azure-entra", containing: "\"errorCode\":7000215")
        let signIn = try #require(try decode(.azureSignIn, failed).entries.first)
        #expect(signIn.event.type == "azure.signin.failed" && signIn.ocsf?.text("status_code") == "7000215")
        #expect(signIn.ocsf?.text("class_uid") == "3002" && signIn.ocsf?.text("status_id") == "2")
        let activity = try SourceFixtures.decode(.azureActivity, "azure-activity", "azure_vm_deleted.ndjson").entries[0]
        #expect(activity.event.type == "azure.activity.microsoft.compute/virtualmachines/delete")
        #expect(activity.event.source == "/azure/activity/12345678-1234-1234-1234-123456789abc")
        #expect(activity.ocsf?.text("activity_name") == "Delete" && activity.ocsf?.text("status_id") == "1")
        let audit = try line("azure-entra", containing: "\"category\":\"AuditLogs\"")
        let change = try #require(try decode(.azureAudit, audit).entries.first)
        #expect(change.event.type.hasPrefix("azure.audit.") && !change.event.type.contains(" "))
    }

    @Test func oktaAndGitHub() throws {
        let signIn = try line("okta", containing: "\"eventType\":\"user.session.start\"")
        let okta = try #require(try decode(.okta, signIn).entries.first)
        #expect(okta.event.type == "okta.user.session.start" && okta.ocsf?.text("class_uid") == "3002")
        #expect(okta.ocsf?.text("activity_name") == "Logon")
        let hook = """
            {"eventType":"com.okta.event_hook","data":{"events":[
             {"uuid":"u1","published":"2026-01-01T00:00:00.000Z","eventType":"user.account.lock","actor":{"alternateId":"bob"},
              "outcome":{"result":"FAILURE","reason":"LOCKED_OUT"},"client":{"ipAddress":"203.0.113.4"}}]}}
            """
        let locked = try #require(try decode(.okta, hook).entries.first)
        #expect(locked.event.id == "u1" && locked.event.subject == "bob" && locked.ocsf?.text("status_id") == "2")
        let github = try SourceFixtures.decode(.githubAudit, "github-audit", "github_repo_created.ndjson").entries[0]
        #expect(github.event.type == "github.audit.repo.create" && github.event.subject == "cat")
        #expect(github.event.source == "/github/my-org" && github.event.time?.epochMilliseconds == 1_621_305_118_553)
        #expect(github.ocsf?.text("activity_name") == "Create")
    }
}
