// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinRules

/// Collects the pre-filters of rules for ``SigmaRuleSet``.
struct SigmaRuleSetBuilder {
    struct Probe: Hashable {
        var objectPath: [String]
        var member: String
    }

    let mapping: SigmaLogSourceMapping?
    var machineRules: [PatternMachine.Rule] = []
    var owners: [(rule: Int32, isScope: Bool)] = []
    var unmapped: [Int] = []
    var always: [Int] = []
    var scopes: [EventPattern?] = []
    var needles = SigmaNeedleIndex()
    var ruleNeedles: [[Int32]] = []
    var unscopedNeedleRules: [Int] = []
    var probes: [Probe: [Int]] = [:]
    /// What the machine and the rules read of a document (see ``SigmaRuleSet/projection``).
    var readPaths: Set<[String]> = []
    /// Per rule, whether it reads every value of the record (keyword searches).
    var readsWholeRecord: [Bool] = []

    init(mode: SigmaRuleSet.Mode) {
        if case .events(let mapping) = mode {
            self.mapping = mapping
        } else {
            self.mapping = nil
        }
    }

    mutating func add(_ rule: SigmaRule, index: Int) {
        ruleNeedles.append([])
        readsWholeRecord.append(Self.readsWholeRecord(rule.expression))
        var scope: JSONObject?
        if let mapping {
            guard case .object(let object)? = mapping.pattern(for: rule.metadata.logSource) else {
                unmapped.append(index)
                scopes.append(nil)
                return
            }
            scope = object
        }
        let scopePattern = scope.flatMap { try? EventPattern(json: .object($0)) }
        scopes.append(scopePattern)
        addReadPaths(rule.expression)
        for path in scopePattern?.fieldPaths ?? [] {
            readPaths.insert(path)
        }
        guard let requirement = SigmaPrefilter.requirement(rule.expression),
            let patterns = fieldPatterns(requirement.clauses, scope: scope)
        else {
            addAlways(index, scope: scopePattern)
            return
        }
        for pattern in patterns {
            append(pattern, rule: index, isScope: false)
        }
        for alternative in requirement.clauses.joined() where alternative.field.segments.count > 1 {
            for probe in alternative.field.dottedMemberProbes {
                probes[Probe(objectPath: probe.objectPath, member: probe.member), default: []].append(index)
            }
        }
        guard !requirement.needles.isEmpty else {
            return
        }
        ruleNeedles[index] = requirement.needles.map { needles.insert($0) }
        if let scopePattern {
            append(scopePattern, rule: index, isScope: true)
        } else {
            unscopedNeedleRules.append(index)
        }
    }

    private mutating func addAlways(_ index: Int, scope: EventPattern?) {
        if let scope {
            append(scope, rule: index, isScope: false)
        } else {
            always.append(index)
        }
    }

    /// Adds the fields `expression` reads to ``projection``, where they sit in the document: under
    /// `data` for Tocsin events, where `enrichment.…` also reads the event's own `enrichment`.
    private mutating func addReadPaths(_ expression: SigmaExpression) {
        switch expression {
        case .and(let children), .or(let children):
            for child in children {
                addReadPaths(child)
            }
        case .not(let child):
            addReadPaths(child)
        case .keywords:
            break
        case .field(let predicate):
            addReadPath(predicate.field)
            if case .values(let tests, _, _) = predicate.kind {
                for case .fieldReference(let other, _, _) in tests {
                    addReadPath(other)
                }
            }
        }
    }

    private mutating func addReadPath(_ field: SigmaFieldPath) {
        guard mapping != nil else {
            readPaths.insert(field.segments)
            return
        }
        readPaths.insert(["data"] + field.segments)
        if field.segments.first == "enrichment" {
            readPaths.insert(field.segments)
        }
    }

    private static func readsWholeRecord(_ expression: SigmaExpression) -> Bool {
        switch expression {
        case .and(let children), .or(let children): children.contains(where: readsWholeRecord)
        case .not(let child): readsWholeRecord(child)
        case .keywords: true
        case .field: false
        }
    }

    private mutating func append(_ pattern: EventPattern, rule: Int, isScope: Bool) {
        for path in pattern.fieldPaths {
            readPaths.insert(path)
        }
        machineRules.append(PatternMachine.Rule(name: String(rule), pattern: pattern))
        owners.append((Int32(rule), isScope))
    }

    /// One pattern per clause (scope plus the clause's fields under `data`), or `nil` if one fails.
    private func fieldPatterns(_ clauses: [[SigmaPrefilter.Alternative]], scope: JSONObject?) -> [EventPattern]? {
        var patterns: [EventPattern] = []
        for clause in clauses {
            let field = JSONObject(clause.map { .init(name: $0.field.name, value: .array($0.values)) })
            var object = scope ?? field
            if scope != nil {
                object.members.append(.init(name: "data", value: .object(field)))
            }
            guard let pattern = try? EventPattern(json: .object(object)) else {
                return nil
            }
            patterns.append(pattern)
        }
        return patterns
    }
}
