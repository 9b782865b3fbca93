// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinResponse

/// The claims of a bundle whose chain and signatures verified, checked against its proven records.
struct BundleClaims {
    /// The sources of the events that record delivery attempts and dry runs.
    static let deliverySources: Set<String> = ["/tocsin/delivery", "/tocsin/router"]
    /// What every delivery event's type starts with.
    static let deliveryTypePrefix = "tocsin.delivery."
    /// The types of the events that carry a rule's definition: defined through the API, or loaded
    /// from the rules directory.
    static let ruleDefinitionTypes: Set<String> = ["tocsin.rule.created", "tocsin.rule.updated", "tocsin.rule.loaded"]
    /// The type of the event that records a load of the rules directory (names only).
    static let configReloadedType = "tocsin.config.reloaded"

    let bundle: ProofBundle
    let records: [Int64: CanonicalRecord]

    func check(checkpoints: [ProofBundle.Checkpoint]) throws(BundleError) -> ProofBundleVerifier.Report {
        try checkRoles()
        let subject = try record(bundle.subject, role: "the subject")
        var alert: Alert?
        var rule: CanonicalRecord?
        switch bundle.kind {
        case .alert:
            let raised = try checkAlert(subject)
            alert = raised
            rule = try checkRule(alert: raised)
        case .event:
            guard bundle.evidence.isEmpty, bundle.rule == nil else {
                throw failure("$.evidence and $.rule must be empty for an event bundle")
            }
        }
        var actions: [CanonicalRecord] = []
        var previous = bundle.subject
        for sequence in bundle.actions {
            guard sequence > previous else {
                throw failure("$.actions must be ascending and come after the subject (\(sequence))")
            }
            previous = sequence
            actions.append(try checkAction(sequence))
        }
        return ProofBundleVerifier.Report(
            bundle: bundle,
            subject: subject,
            alert: alert,
            evidence: try bundle.evidence.map { (sequence) throws(BundleError) in
                try record(sequence, role: "evidence")
            },
            rule: rule,
            actions: actions,
            checkpoints: checkpoints
        )
    }

    /// Every presented record has a role and every role's record is presented.
    private func checkRoles() throws(BundleError) {
        var roles = Set([bundle.subject]).union(bundle.evidence).union(bundle.actions)
        if let sequence = bundle.rule?.sequence {
            roles.insert(sequence)
        }
        let presented = Set(records.keys)
        if let missing = roles.subtracting(presented).min() {
            throw failure("record \(missing) is named by the bundle but not included in any segment", missing)
        }
        if let extra = presented.subtracting(roles).min() {
            throw failure("record \(extra) is included but the bundle gives it no role", extra)
        }
        guard roles.count == 1 + bundle.evidence.count + bundle.actions.count + (bundle.rule?.sequence == nil ? 0 : 1)
        else {
            throw failure("a record has two roles (subject, evidence, rule or action)")
        }
    }

    private func checkAlert(_ subject: CanonicalRecord) throws(BundleError) -> Alert {
        let alert: Alert
        do {
            alert = try Alert(event: subject.event)
        } catch {
            throw failure("record \(bundle.subject) is not a \(Alert.eventType) event: \(error)", bundle.subject)
        }
        guard alert.evidence == bundle.evidence else {
            throw failure("$.evidence differs from the evidence the alert (record \(bundle.subject)) names")
        }
        return alert
    }

    private func checkRule(alert: Alert) throws(BundleError) -> CanonicalRecord? {
        guard let rule = bundle.rule else {
            throw failure("$.rule is missing for an alert bundle")
        }
        guard rule.name == alert.rule else {
            throw failure("$.rule.name is not the rule the alert names")
        }
        guard let sequence = rule.sequence else {
            guard rule.text == nil, rule.sha256 == nil else {
                throw failure("$.rule has a text or hash but no record that proves it")
            }
            return nil
        }
        guard sequence < bundle.subject else {
            throw failure("$.rule.seq (\(sequence)) is not before the alert", sequence)
        }
        let record = try record(sequence, role: "the rule")
        let event = record.event
        let data = record.jsonData
        if Self.ruleDefinitionTypes.contains(event.type) {
            guard event.subject == rule.name, data?["name"] == .string(rule.name), let definition = data?["definition"]
            else {
                throw failure("record \(sequence) does not define the rule \(rule.name)", sequence)
            }
            let text = ProofBundle.Rule.text(of: definition)
            guard rule.text == text else {
                throw failure("$.rule.text is not the definition record \(sequence) holds", sequence)
            }
            guard rule.sha256 == ProofBundle.Rule.hash(of: text) else {
                throw failure("$.rule.sha256 is not the SHA-256 of $.rule.text", sequence)
            }
        } else if event.type == Self.configReloadedType {
            let names = [data?["rules"], data?["sigma_rules"]].compactMap { $0 }
            guard names.contains(where: { value in Self.contains(value, rule.name) }) else {
                throw failure("record \(sequence) does not load the rule \(rule.name)", sequence)
            }
            guard rule.text == nil, rule.sha256 == nil else {
                throw failure("$.rule has a text or hash that record \(sequence) does not hold", sequence)
            }
        } else {
            throw failure("record \(sequence) (\(event.type)) neither defines nor loads a rule", sequence)
        }
        return record
    }

    private func checkAction(_ sequence: Int64) throws(BundleError) -> CanonicalRecord {
        let record = try record(sequence, role: "an action")
        guard Self.deliverySources.contains(record.event.source), record.event.type.hasPrefix(Self.deliveryTypePrefix),
            record.jsonData?["event"] == .number(JSONNumber(bundle.subject))
        else {
            throw failure("record \(sequence) is not a delivery event for record \(bundle.subject)", sequence)
        }
        return record
    }

    private func record(_ sequence: Int64, role: String) throws(BundleError) -> CanonicalRecord {
        guard let record = records[sequence] else {
            throw failure("\(role) (record \(sequence)) is not included", sequence)
        }
        return record
    }

    private static func contains(_ list: JSONValue, _ name: String) -> Bool {
        guard case .array(let names) = list else {
            return false
        }
        return names.contains(.string(name))
    }

    private func failure(_ message: String, _ sequence: Int64? = nil) -> BundleError {
        BundleError(code: .contentMismatch, message: message, sequence: sequence)
    }
}
