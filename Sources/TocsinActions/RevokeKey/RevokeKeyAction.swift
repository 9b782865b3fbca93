// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
import TocsinResponse

/// `kind: revoke-key`: revokes the Tocsin API key named in the event.
public struct RevokeKeyAction: Action, Hashable {
    /// `revoke-key`.
    public static let kindName = "revoke-key"
    /// Where the key's name is in the event.
    public var keyPath: JSONPath

    /// Creates the settings.
    public init(keyPath: JSONPath) {
        self.keyPath = keyPath
    }

    /// Reads `key_path`.
    public static func read(_ reader: inout ObjectReader) -> RevokeKeyAction? {
        reader.jsonPath("key_path", required: true).map { RevokeKeyAction(keyPath: $0) }
    }

    /// The key path.
    public func redactedMembers(_ redactor: SecretRedactor) -> [JSONObject.Member] {
        [.init(name: "key_path", value: .string(keyPath.description))]
    }

    /// Revokes the key, acting as the rule.
    public func perform(_ request: ActionRequest, context: any ActionContext) async -> ActionResult {
        guard case .string(let name)? = keyPath.evaluate(request.event) else {
            return .failed(.rejected, "no key name (a string) at the key path")
        }
        switch await context.revokeKey(name: name, actor: "rule:\(request.delivery.rule)") {
        case .success(let revoked):
            return ActionResult(
                .succeeded(status: nil),
                detail: JSONValue.members([("key", .string(name)), ("revoked", .bool(revoked))])
            )
        case .failure(let failure):
            return ActionResult(.failed(failure))
        }
    }
}
