// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
import TocsinResponse

/// `kind: jira`: creates a Jira issue (REST API v2) for the event.
///
/// The summary is one line of plain text; the event's JSON goes in the description inside a
/// `{noformat}` block that event text cannot close, so it is shown and never rendered as markup.
public struct JiraAction: Action, Hashable {
    /// `jira`.
    public static let kindName = "jira"
    /// The create-issue URL and its authorisation header.
    public var endpoint: HTTPEndpoint
    /// The project key.
    public var project: String
    /// The issue type (default `Task`).
    public var issueType: String

    /// Creates the settings.
    public init(endpoint: HTTPEndpoint, project: String, issueType: String = "Task") {
        self.endpoint = endpoint
        self.project = project
        self.issueType = issueType
    }

    /// Reads `url`, `headers`, `allow_private_network`, `project` and `issue_type`.
    public static func read(_ reader: inout ObjectReader) -> JiraAction? {
        let endpoint = HTTPEndpoint.read(&reader)
        let project = reader.string("project", required: true)
        let issueType = reader.string("issue_type") ?? "Task"
        guard let endpoint, let project else {
            return nil
        }
        return JiraAction(endpoint: endpoint, project: project, issueType: issueType)
    }

    /// The endpoint, the project and the issue type.
    public func redactedMembers(_ redactor: SecretRedactor) -> [JSONObject.Member] {
        endpoint.redactedMembers(redactor) + [
            .init(name: "project", value: .string(project)),
            .init(name: "issue_type", value: .string(issueType)),
        ]
    }

    /// The create-issue body, or the rule's transformed input.
    public func body(_ request: ActionRequest) -> [UInt8] {
        if let transformed = request.transformed {
            return transformed
        }
        let summary = Markup.plainLine(EventSummary.text(request))
        let description =
            "Raised by Tocsin rule \(request.delivery.rule) for event \(request.delivery.eventSequence).\n\n"
            + "{noformat}\n\(Markup.jiraNoformat(JSONWriter().string(request.event)))\n{noformat}"
        let document = JSONValue.members([
            (
                "fields",
                JSONValue.members([
                    ("project", JSONValue.members([("key", .string(project))])),
                    ("summary", .string(String(summary.prefix(255)))),
                    ("description", .string(description)),
                    ("issuetype", JSONValue.members([("name", .string(issueType))])),
                    ("labels", .array([.string("tocsin"), .string(request.delivery.rule)])),
                ])
            )
        ])
        return JSONWriter().bytes(document)
    }

    /// POSTs the issue.
    public func perform(_ request: ActionRequest, context: any ActionContext) async -> ActionResult {
        let outcome = await context.post(endpoint.request(body: body(request), request: request))
        return ActionResult(endpoint.naming(outcome))
    }
}
