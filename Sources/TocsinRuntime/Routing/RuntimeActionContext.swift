// SPDX-License-Identifier: Apache-2.0

import TocsinActions
import TocsinCore
import TocsinResponse
import TocsinServer
import TocsinStore

/// The runtime's services as the actions see them: the HTTP sender, the program runner, the
/// blocklist, the log (for alerts) and the key administration.
struct RuntimeActionContext: ActionContext {
    let store: EventStore
    let keys: KeyAdmin
    let webhooks: WebhookSender
    let programs: ExecRunner
    let blocklist: any BlocklistService
    let clock: any WallClock

    var now: WallInstant { clock.now }

    func post(_ request: OutboundRequest) async -> AttemptOutcome {
        await webhooks.post(
            url: request.url,
            headers: request.headers.map { ($0.name, $0.value) },
            body: request.body,
            timeoutMilliseconds: request.timeoutMilliseconds,
            allowPrivateNetwork: request.allowPrivateNetwork
        )
    }

    func run(command: String, arguments: [String], input: [UInt8], timeoutMilliseconds: Int64) async -> AttemptOutcome {
        await programs.run(
            command: command,
            arguments: arguments,
            input: input,
            timeoutMilliseconds: timeoutMilliseconds
        )
    }

    func raise(_ alert: Alert) async throws -> (id: String, sequence: Int64) {
        let event = alert.event(identifiers: store.identifiers)
        let receipt = try await store.append([event])
        return (event.id, receipt.first?.sequence ?? 0)
    }

    func revokeKey(name: String, actor: String) async -> Result<Bool, AttemptFailure> {
        do {
            return .success(try await keys.revoke(name: name, actor: actor))
        } catch KeyAdministrationError.refused(let message) {
            return .failure(AttemptFailure(kind: .rejected, message: message))
        } catch {
            return .failure(
                AttemptFailure(kind: .transport, message: "the key store could not be updated (\(type(of: error)))")
            )
        }
    }
}
