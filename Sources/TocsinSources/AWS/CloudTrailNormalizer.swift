// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// AWS CloudTrail records to CloudEvents with an OCSF view (Authentication 3002, Account Change 3001,
/// or API Activity 6003, as AWS Security Lake maps them).
///
/// The convention (stable):
/// - `source`: `/aws/cloudtrail/<recipientAccountId>/<awsRegion>`;
/// - `type`: `aws.cloudtrail.<service>.<eventName>`, the service being `eventSource` without
///   `.amazonaws.com` (`aws.cloudtrail.signin.ConsoleLogin`, `aws.cloudtrail.iam.CreateAccessKey`);
/// - `subject`: the actor, `userIdentity.arn` (else `userName`, `principalId`, `invokedBy`);
/// - `time`: `eventTime`; `id`: `eventID`;
/// - `data`: the record (an EventBridge envelope is kept whole; its `detail` is the record).
struct CloudTrailNormalizer {
    func normalize(_ record: JSONRecord) throws(SourceError) -> LogEntry {
        var fields = record.fields
        if fields.member("digestStartTime") != nil, fields.member("logFiles") != nil {
            throw SourceError(
                path: "$",
                message: "this is a CloudTrail digest file (log file validation), not a record; ingest the log files"
            )
        }
        if fields.member("detail-type") != nil {
            fields = try fields.requiredObject("detail")
        }
        let time = fields.optionalTime("eventTime")
        // Insights records name the API they are about under `insightDetails`.
        let isInsight = fields.string("eventType") == "AwsCloudTrailInsight"
        let named = isInsight ? try fields.requiredObject("insightDetails") : fields
        let eventSource = try named.requiredString("eventSource")
        let eventName = try named.requiredString("eventName")
        let service = eventSource.hasSuffix(".amazonaws.com") ? String(eventSource.dropLast(14)) : eventSource
        let identity = fields.optionalMembers("userIdentity")
        let account = fields.string("recipientAccountId") ?? identity.string("accountId") ?? "-"
        let region = fields.string("awsRegion") ?? "-"
        let event = record.event(
            id: fields.string("eventID"),
            source: "/aws/cloudtrail/\(CloudEvent.sourceSegment(account))/\(CloudEvent.sourceSegment(region))",
            type: isInsight
                ? "aws.cloudtrail.insight.\(eventName.orPlaceholder)"
                : "aws.cloudtrail.\(service.orPlaceholder).\(eventName.orPlaceholder)",
            subject: identity.string("arn") ?? identity.string("userName") ?? identity.string("principalId")
                ?? identity.string("invokedBy"),
            time: time
        )
        return LogEntry(
            event: event,
            ocsf: CloudTrailOCSF(
                fields: fields,
                identity: identity,
                eventName: eventName,
                time: time ?? record.received
            )
            .view()
        )
    }
}
