// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
import TocsinResponse

/// Every target kind Tocsin knows, in one explicit, compile-time list.
///
/// To add a kind, write one type conforming to ``Action`` and add it here; configuration reading,
/// the API's redaction, `config check` and delivery all go through this list.
public enum ActionRegistry: Sendable {
    /// The registered kinds.
    public static let all: [any Action.Type] = [
        WebhookAction.self,
        SlackAction.self,
        PagerDutyAction.self,
        JiraAction.self,
        ExecAction.self,
        BlocklistAction.self,
        IncidentAction.self,
        RevokeKeyAction.self,
    ]

    /// The registered kinds, for the readers of target definitions.
    public static let targetKinds = TargetKinds(all.map { $0 as any TargetSettings.Type })

    /// Performs one attempt with the target's kind.
    ///
    /// - Parameters:
    ///   - request: The delivery, its event and the target.
    ///   - context: The runtime services.
    /// - Returns: The outcome; a target whose settings are not an ``Action`` is refused.
    public static func perform(_ request: ActionRequest, context: any ActionContext) async -> ActionResult {
        guard let action = request.target.settings as? any Action else {
            return .failed(.rejected, "the target kind \(request.target.kindName) has no perform step")
        }
        return await action.perform(request, context: context)
    }

    /// Problems on this host that would make deliveries to `target` fail.
    public static func hostProblems(of target: TargetDefinition) -> [String] {
        (target.settings as? any Action)?.hostProblems() ?? []
    }
}
