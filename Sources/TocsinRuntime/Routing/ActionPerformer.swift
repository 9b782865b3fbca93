// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinServer
import TocsinStore

/// Performs one attempt of one delivery: builds the payload (pure builders) and hands it to the
/// target kind's sender or built-in action.
struct ActionPerformer: Sendable {
    let store: EventStore
    let keys: KeyAdmin
    let webhooks: WebhookSender
    let programs: ExecRunner
    let blocklistFiles: BlocklistFiles

    /// The attempt's outcome and, for built-in actions, what they did (for the delivery event).
    func perform(
        _ delivery: DeliveryRecord,
        event logged: LoggedEvent?,
        target: TargetDefinition?
    ) async -> (AttemptOutcome, JSONValue?) {
        guard let target else {
            return (.failed(AttemptFailure(kind: .targetMissing, message: "the target no longer exists")), nil)
        }
        guard let logged else {
            return (.failed(AttemptFailure(kind: .rejected, message: "the event is not in the log")), nil)
        }
        let (event, isAlertTrigger) = AlertDeliveries.document(of: logged)
        if case .webhook(let webhook) = target.kind, webhook.format == .webhook, delivery.input == nil {
            let body = isAlertTrigger ? JSONWriter().bytes(event) : logged.event.structuredJSONBytes()
            return (await post(webhook, body: body, delivery: delivery, target: target), nil)
        }
        let transformed = delivery.input?.apply(to: event)
        switch target.kind {
        case .webhook(let webhook):
            let context = WebhookPayload.Context(
                event: event,
                eventSequence: delivery.eventSequence,
                rule: delivery.rule,
                idempotencyKey: delivery.idempotencyKey
            )
            let body = WebhookPayload.body(
                format: webhook.format.rawValue,
                context: context,
                transformed: transformed,
                routingKey: webhook.secret,
                project: webhook.project,
                issueType: webhook.issueType,
                severity: webhook.severity
            )
            return (await post(webhook, body: body, delivery: delivery, target: target), nil)
        case .exec(let exec):
            let input = transformed ?? JSONWriter().bytes(event)
            let outcome = await programs.run(
                command: exec.command,
                arguments: exec.arguments,
                input: input,
                timeoutMilliseconds: target.timeoutMilliseconds
            )
            guard case .failed(var failure) = outcome, let status = failure.exitStatus,
                exec.permanentExitCodes.contains(status)
            else {
                return (outcome, nil)
            }
            failure.isPermanent = true
            failure.message += " (listed in permanent_exit_codes)"
            return (.failed(failure), nil)
        case .blocklist(let blocklist):
            return await block(blocklist, event: event, delivery: delivery, target: target.name)
        case .incident(let incident):
            return await raiseAlert(incident, logged: logged, delivery: delivery, target: target.name)
        case .revokeKey(let keyPath):
            guard case .string(let name)? = keyPath.evaluate(event) else {
                return (
                    .failed(AttemptFailure(kind: .rejected, message: "no key name (a string) at the key path")), nil
                )
            }
            do {
                let revoked = try await keys.revoke(name: name, actor: "rule:\(delivery.rule)")
                return (
                    .succeeded(status: nil),
                    .object(
                        JSONObject([
                            .init(name: "key", value: .string(name)), .init(name: "revoked", value: .bool(revoked)),
                        ])
                    )
                )
            } catch KeyAdministrationError.refused(let message) {
                return (.failed(AttemptFailure(kind: .rejected, message: message)), nil)
            } catch {
                return (.failed(AttemptFailure(kind: .transport, message: "the key store could not be updated")), nil)
            }
        }
    }

    /// POSTs `body` with the delivery headers (and the signature for the `webhook` format).
    private func post(
        _ webhook: TargetDefinition.Webhook,
        body: [UInt8],
        delivery: DeliveryRecord,
        target: TargetDefinition
    ) async -> AttemptOutcome {
        var headers = webhook.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        headers.append(("Idempotency-Key", delivery.idempotencyKey))
        headers.append(("Tocsin-Event-Sequence", String(delivery.eventSequence)))
        headers.append(("Tocsin-Rule", delivery.rule))
        if webhook.format == .webhook, let secret = webhook.secret {
            let timestamp = Int64(Date().timeIntervalSince1970)
            headers.append(
                ("Tocsin-Signature", WebhookSignature.header(secret: secret, timestamp: timestamp, body: body))
            )
        }
        return await webhooks.post(
            url: webhook.url,
            headers: headers,
            body: body,
            timeoutMilliseconds: target.timeoutMilliseconds
        )
    }

    private func block(
        _ blocklist: TargetDefinition.Blocklist,
        event: JSONValue,
        delivery: DeliveryRecord,
        target: String
    ) async -> (AttemptOutcome, JSONValue?) {
        let canonical: (entry: String, isV6: Bool)
        switch BlocklistFormat.canonical(blocklist.ipPath.evaluate(event) ?? .null) {
        case .success(let value): canonical = value
        case .failure(let failure): return (.failed(failure), nil)
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let entry = BlocklistEntry(
            entry: canonical.entry,
            isV6: canonical.isV6,
            addedMilliseconds: now,
            expiresMilliseconds: now + blocklist.ttlSeconds * 1000,
            rule: delivery.rule,
            eventSequence: delivery.eventSequence
        )
        do {
            try await store.routing.block(entry)
            if let file = blocklist.nftFile {
                try await blocklistFiles.write(file)
            }
        } catch {
            return (.failed(AttemptFailure(kind: .transport, message: "the blocklist could not be written")), nil)
        }
        return (.succeeded(status: nil), entry.json)
    }

    /// The `incident` target raises an alert: the incident projection groups it with every other
    /// alert of its key, so the target and the detections feed one incident model.
    private func raiseAlert(
        _ incident: TargetDefinition.Incident,
        logged: LoggedEvent,
        delivery: DeliveryRecord,
        target: String
    ) async -> (AttemptOutcome, JSONValue?) {
        let routed = Alert.RoutedEvent(
            document: logged.matchDocument,
            sequence: delivery.eventSequence,
            milliseconds: logged.event.time?.epochMilliseconds ?? logged.ingestMilliseconds,
            rule: delivery.rule,
            target: target,
            keyPath: incident.keyPath,
            titlePath: incident.titlePath,
            level: incident.severity
        )
        let alert: Alert
        switch Alert.routed(routed) {
        case .success(let raised): alert = raised
        case .failure(let failure): return (.failed(failure), nil)
        }
        let event = alert.event(identifiers: store.identifiers)
        do {
            let receipt = try await store.append([event])
            return (
                .succeeded(status: nil),
                .object(
                    JSONObject([
                        .init(name: "alert", value: .string(event.id)),
                        .init(name: "alert_seq", value: .number(JSONNumber(receipt.first?.sequence ?? 0))),
                    ])
                )
            )
        } catch {
            return (.failed(AttemptFailure(kind: .transport, message: "the alert could not be appended")), nil)
        }
    }
}

/// Rewrites blocklist nftables files atomically (write to a temporary file, fsync, rename).
struct BlocklistFiles: Sendable {
    let store: EventStore

    func write(_ path: String) async throws {
        let entries = try await store.routing.activeBlocks(now: Int64(Date().timeIntervalSince1970 * 1000))
        let text = BlocklistFormat.nftables(entries)
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission)
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown)
        }
    }
}
