// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The properties and items of one instance that some successful subschema evaluated, for
/// `unevaluatedProperties` and `unevaluatedItems`.
struct SchemaEvaluated {
    var properties: Set<String> = []
    /// Items `0..<itemPrefix` were evaluated.
    var itemPrefix = 0
    /// Further evaluated item indices (from `contains`).
    var itemIndices: Set<Int> = []

    mutating func merge(_ other: SchemaEvaluated) {
        properties.formUnion(other.properties)
        itemPrefix = max(itemPrefix, other.itemPrefix)
        itemIndices.formUnion(other.itemIndices)
    }
}

/// Evaluates an instance against the node arena and collects violations.
///
/// Subschemas under `anyOf`, `oneOf`, `not`, `if` and `contains` are evaluated muted: their failures are
/// expected, so the applicator reports one violation of its own instead.
struct SchemaEvaluator {
    enum PathStep {
        case name(String)
        case index(Int)
    }

    let nodes: [SchemaNode]
    let dynamicAnchors: [String: Int]
    let limits: JSONSchema.Limits
    private(set) var violations: [SchemaViolation] = []
    /// Greater than zero while failures are not reported (and evaluation may stop at the first one).
    var muted = 0
    private var depth = 0
    /// The instance path of the value being evaluated.
    var path: [PathStep] = []

    /// Subschema evaluations so far, against ``JSONSchema/Limits/maxEvaluationSteps``.
    private var steps = 0
    /// The nodes being evaluated, with the instance path depth each was entered at (a node entered again at the
    /// same instance location, with nothing consumed in between, is a `$ref` cycle).
    private var active: [(node: Int, pathDepth: Int)] = []
    /// The schema resources entered, outermost first (the dynamic scope `$dynamicRef` searches).
    private var scope: [String] = []

    init(nodes: [SchemaNode], dynamicAnchors: [String: Int], limits: JSONSchema.Limits) {
        self.nodes = nodes
        self.dynamicAnchors = dynamicAnchors
        self.limits = limits
    }

    private var instancePath: String {
        path.map { step in
            switch step {
            case .name(let name): "/" + SchemaPointer.escape(name)
            case .index(let index): "/" + String(index)
            }
        }.joined()
    }

    mutating func report(_ node: SchemaNode, _ keyword: String, _ message: String) {
        guard muted == 0, violations.count < limits.maxViolations else {
            return
        }
        violations.append(
            SchemaViolation(
                keyword: keyword,
                schemaLocation: node.location + "/" + SchemaPointer.escape(keyword),
                instancePath: instancePath,
                message: message
            )
        )
    }

    /// Evaluates `instance` at the current path against subschema `child`, annotations not collected.
    mutating func evaluate(_ child: Int, _ instance: JSONValue, at step: PathStep) -> Bool {
        path.append(step)
        defer { path.removeLast() }
        var none: SchemaEvaluated?
        return evaluate(child, instance, &none)
    }

    /// Evaluates `instance` against node `index`; on success merges what it evaluated into `evaluated` (when
    /// the caller collects).
    mutating func evaluate(_ index: Int, _ instance: JSONValue, _ evaluated: inout SchemaEvaluated?) -> Bool {
        let node = nodes[index]
        if let constant = node.constant {
            if !constant {
                guard muted == 0, violations.count < limits.maxViolations else {
                    return false
                }
                violations.append(
                    SchemaViolation(
                        keyword: "false",
                        schemaLocation: node.location,
                        instancePath: instancePath,
                        message: "the schema is false: no value is allowed here"
                    )
                )
            }
            return constant
        }
        if depth >= limits.maxEvaluationDepth {
            report(node, "$ref", "evaluation nests deeper than \(limits.maxEvaluationDepth) subschemas")
            return false
        }
        steps += 1
        if steps > limits.maxEvaluationSteps {
            if steps == limits.maxEvaluationSteps + 1 {
                let saved = muted
                muted = 0
                report(
                    node,
                    "$ref",
                    "evaluation took more than \(limits.maxEvaluationSteps) steps; simplify the schema"
                )
                muted = saved
            }
            return false
        }
        for entry in active.reversed() {
            guard entry.pathDepth == path.count else {
                break
            }
            if entry.node == index {
                report(node, "$ref", "the schema refers back to itself without consuming any of the instance")
                return false
            }
        }
        active.append((index, path.count))
        depth += 1
        let entersResource = scope.last != node.resource
        if entersResource {
            scope.append(node.resource)
        }
        defer {
            active.removeLast()
            depth -= 1
            if entersResource {
                scope.removeLast()
            }
        }
        var collected: SchemaEvaluated? = evaluated != nil || node.needsAnnotations ? SchemaEvaluated() : nil
        var valid = checkAssertions(node, instance)
        // Muted and not collecting annotations, only the outcome matters: stop at the first failure.
        if !valid && muted > 0 && collected == nil {
            return false
        }
        valid = applyInPlace(node, instance, &collected) && valid
        if !valid && muted > 0 && collected == nil {
            return false
        }
        switch instance {
        case .array(let elements):
            valid = applyToItems(node, elements, &collected) && valid
        case .object(let object):
            valid = applyToProperties(node, object, &collected) && valid
        default:
            break
        }
        if valid, let collected, evaluated != nil {
            evaluated?.merge(collected)
        }
        return valid
    }

    /// `$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `dependentSchemas`.
    private mutating func applyInPlace(
        _ node: SchemaNode,
        _ instance: JSONValue,
        _ collected: inout SchemaEvaluated?
    ) -> Bool {
        var valid = true
        if let reference = node.reference {
            valid = evaluate(reference, instance, &collected) && valid
        }
        if let (fallback, anchor) = node.dynamicReference {
            var target = fallback
            if let anchor {
                for resource in scope {
                    if let outermost = dynamicAnchors[resource + "#" + anchor] {
                        target = outermost
                        break
                    }
                }
            }
            valid = evaluate(target, instance, &collected) && valid
        }
        for schema in node.allOf {
            valid = evaluate(schema, instance, &collected) && valid
        }
        if !node.anyOf.isEmpty {
            muted += 1
            var matched = false
            for schema in node.anyOf where !matched || collected != nil {
                matched = evaluate(schema, instance, &collected) || matched
            }
            muted -= 1
            if !matched {
                report(node, "anyOf", "matches none of the \(node.anyOf.count) subschemas")
                valid = false
            }
        }
        if !node.oneOf.isEmpty {
            muted += 1
            var matches = 0
            var matchedAnnotations: SchemaEvaluated? = collected
            for schema in node.oneOf where matches < 2 || collected != nil {
                if evaluate(schema, instance, &matchedAnnotations) {
                    matches += 1
                }
            }
            muted -= 1
            if matches == 1 {
                collected = matchedAnnotations
            } else {
                report(
                    node,
                    "oneOf",
                    "matches \(matches) of the \(node.oneOf.count) subschemas; exactly one must match"
                )
                valid = false
            }
        }
        if let not = node.not {
            muted += 1
            var none: SchemaEvaluated?
            let matched = evaluate(not, instance, &none)
            muted -= 1
            if matched {
                report(node, "not", "matches the subschema it must not match")
                valid = false
            }
        }
        if let ifSchema = node.ifSchema {
            muted += 1
            let holds = evaluate(ifSchema, instance, &collected)
            muted -= 1
            if holds, let thenSchema = node.thenSchema {
                valid = evaluate(thenSchema, instance, &collected) && valid
            } else if !holds, let elseSchema = node.elseSchema {
                valid = evaluate(elseSchema, instance, &collected) && valid
            }
        }
        if case .object(let object) = instance {
            for (name, schema) in node.dependentSchemas where object[name] != nil {
                valid = evaluate(schema, instance, &collected) && valid
            }
        }
        return valid
    }
}
