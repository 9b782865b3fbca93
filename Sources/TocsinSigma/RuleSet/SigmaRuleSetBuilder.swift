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
    /// The paths that pre-filters and log-source scopes read (a subset of ``readPaths``).
    var filterPaths: Set<[String]> = []
    /// Per rule, the paths its fields read.
    var rulePaths: [Set<[String]>] = []
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
        rulePaths.append([])
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
        addReadPaths(rule.expression, rule: index)
        for path in scopePattern?.fieldPaths ?? [] {
            readPaths.insert(path)
            filterPaths.insert(path)
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
    private mutating func addReadPaths(_ expression: SigmaExpression, rule: Int) {
        switch expression {
        case .and(let children), .or(let children):
            for child in children {
                addReadPaths(child, rule: rule)
            }
        case .not(let child):
            addReadPaths(child, rule: rule)
        case .keywords:
            break
        case .field(let predicate):
            addReadPath(predicate.field, rule: rule)
            if case .values(let tests, _, _) = predicate.kind {
                for case .fieldReference(let other, _, _) in tests {
                    addReadPath(other, rule: rule)
                }
            }
        }
    }

    private mutating func addReadPath(_ field: SigmaFieldPath, rule: Int) {
        guard mapping != nil else {
            addRulePath(field.segments, rule: rule)
            return
        }
        addRulePath(["data"] + field.segments, rule: rule)
        if field.segments.first == "enrichment" {
            addRulePath(field.segments, rule: rule)
        }
    }

    private mutating func addRulePath(_ path: [String], rule: Int) {
        readPaths.insert(path)
        rulePaths[rule].insert(path)
    }

    /// The rule fields read whole that other read paths descend into: objects, usually large ones.
    ///
    /// Such as `requestParameters` beside `requestParameters.bucketName`. Pre-filter and scope
    /// paths are never deferred.
    func deferredPaths() -> Set<[String]> {
        var deferred: Set<[String]> = []
        for path in rulePaths.reduce(into: Set<[String]>(), { $0.formUnion($1) }) where !filterPaths.contains(path) {
            if readPaths.contains(where: { $0.count > path.count && $0.starts(with: path) }) {
                deferred.insert(path)
            }
        }
        return deferred
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
            filterPaths.insert(path)
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
