// SPDX-License-Identifier: Apache-2.0

import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinResponse
import Tracing

/// Performs one attempt of one delivery: looks the target's kind up in the action registry and
/// hands it the request and the runtime's services.
struct ActionPerformer: Sendable {
    let context: any ActionContext

    /// The attempt's outcome and, for built-in actions, what they did (for the delivery event).
    func perform(
        _ delivery: DeliveryRecord,
        event stored: LoggedEvent?,
        target: TargetDefinition?
    ) async -> (AttemptOutcome, JSONValue?) {
        guard let target else {
            return (.failed(AttemptFailure(kind: .targetMissing, message: "the target no longer exists")), nil)
        }
        guard let stored else {
            return (.failed(AttemptFailure(kind: .rejected, message: "the event is not in the log")), nil)
        }
        var logged = TargetRedaction.apply(target.redactCategories, to: stored)
        if let replay = delivery.replay {
            // The `replay` extension attribute marks the CloudEvent a replay delivers.
            logged.event.extensions["replay"] = .string(String(replay.id))
        }
        let document = AlertDeliveries.document(of: logged)
        var event = document.document
        let isAlertTrigger = document.isAlertTrigger
        if let replay = delivery.replay, isAlertTrigger, case .object(var trigger) = event {
            trigger["replay"] = .string(String(replay.id))
            event = .object(trigger)
        }
        let request = ActionRequest(
            delivery: delivery,
            target: target,
            logged: logged,
            event: event,
            isAlertTrigger: isAlertTrigger,
            transformed: delivery.input?.apply(to: event)
        )
        return await EventTracing.withAsyncSpan("tocsin.deliver", continuing: logged.event, ofKind: .producer) { span in
            span.attributes["tocsin.delivery.id"] = delivery.id
            span.attributes["tocsin.rule"] = delivery.rule
            span.attributes["tocsin.target"] = delivery.target
            span.attributes["tocsin.attempt"] = delivery.attempts + 1
            let result = await ActionRegistry.perform(request, context: context)
            if case .failed(let failure) = result.outcome {
                span.setStatus(SpanStatus(code: .error, message: failure.kind.rawValue))
            }
            return (result.outcome, result.detail)
        }
    }
}
