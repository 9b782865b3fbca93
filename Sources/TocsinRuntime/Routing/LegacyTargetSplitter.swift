// SPDX-License-Identifier: Apache-2.0

import Logging
import TocsinConfig
import TocsinCore
import TocsinStore

/// Moves the secrets of targets stored whole by a version before the secret store into it, once, at
/// start (before the log accepts appends).
///
/// Each such row is split as the API splits a new definition (``TargetSecretTemplate``), keeping its
/// date; the targets projection then logs it once, as `tocsin.target.updated`, because the log
/// holds no template for it. Splitting needs the target kinds and the fingerprint key, which the
/// store does not have, so it is not part of the store's migration (`v9-target-secrets` only
/// creates the secret store). A row that does not decrypt or no longer validates stays sealed
/// whole: routing ignores it as before, and the targets projection leaves it out.
enum LegacyTargetSplitter {
    /// Splits every legacy target row; returns how many were split.
    @discardableResult
    static func split(
        _ store: RoutingStore,
        kinds: TargetKinds,
        redactor: SecretRedactor,
        logger: Logger
    ) async throws -> Int {
        let parser = JSONParser(limits: .init(allowsDuplicateMembers: true))
        var count = 0
        for row in try await store.legacyTargets() {
            do {
                let text = try row.json.get()
                let definition = try parser.parse(Array(text.utf8))
                let target = try TargetDefinition(name: row.name, json: definition, kinds: kinds)
                let split = TargetSecretTemplate(definition, target: target, redactor: redactor)
                _ = try await store.putTarget(
                    row.name,
                    template: split.template,
                    secrets: split.secrets,
                    at: row.milliseconds
                )
                count += 1
            } catch {
                logger.error(
                    "A target stored by an older version could not be moved to the secret store; it stays as it is.",
                    metadata: ["target": "\(row.name)", "problem": "\(error)"]
                )
            }
        }
        return count
    }
}
