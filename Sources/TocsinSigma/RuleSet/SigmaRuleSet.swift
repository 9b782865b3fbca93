// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
import TocsinRules

/// Many compiled Sigma rules behind one ``PatternMachine`` of pre-filters.
///
/// Each rule contributes a necessary condition (``SigmaPrefilter``): event patterns on the values
/// its condition requires (such as its `eventName`s) combined with its log-source pattern, and/or
/// keyword needles found by one scan of the record (``SigmaNeedleIndex``). One machine walk per
/// event yields the candidate rules; only those are evaluated in full, so a rule that names an
/// `eventName` costs nothing for other events. Rules with no usable pre-filter are evaluated for
/// every event. Immutable; share it freely.
public struct SigmaRuleSet: Sendable {
    /// What the documents given to ``matches(_:context:)`` are.
    public enum Mode: Sendable {
        /// Raw records: the log source's own JSON (or a syslog line as a JSON string); every rule applies.
        case records
        /// Tocsin events (CloudEvents JSON): a rule applies to the events its log source maps to,
        /// and reads its fields under `data`, except `enrichment.…`, which reads what enrichment
        /// found at ingest (see ``eventRecord(_:)``).
        case events(SigmaLogSourceMapping)
    }

    /// What a machine pattern says about its rule when it matches.
    private enum Signal: Sendable {
        /// The rule is a candidate.
        case candidate
        /// The rule's log source applies; it is a candidate if one of its needles is found.
        case scope
    }

    /// The rules, in the order given; matches are indices into this array.
    public let rules: [SigmaRule]
    /// Rules whose log source the mapping does not select (events mode): they never match.
    public let unmappedRules: [Int]
    /// Rules evaluated for every document because no pre-filter could be derived.
    public let alwaysEvaluatedRules: [Int]
    private let isEventMode: Bool
    private let machine: PatternMachine
    private let owners: [(rule: Int32, signal: Signal)]
    private let scopes: [EventPattern?]
    private let needles: SigmaNeedleIndex
    /// Per rule, the needles that make it a candidate (empty for rules without keyword pre-filters).
    private let ruleNeedles: [[Int32]]
    /// Rules with needles that apply without a scope signal (records mode).
    private let unscopedNeedleRules: [Int]
    /// Member names with dots under which a rule's dotted pre-filter field could hide (see
    /// ``SigmaFieldPath/dottedMemberProbes``): when one exists in a record, its rules are candidates.
    private let probes: [(objectPath: [String], member: String, rules: [Int])]
    /// Whether some probe looks for a member of the record itself (not of an object inside it).
    private let hasRootProbes: Bool
    /// The member paths of a document that pre-filters, scopes and rule fields read; see
    /// ``matches(bytes:parser:context:)``.
    public let projection: JSONProjection
    /// Per rule, whether it reads every value of the record (keyword searches), which a projected
    /// document lacks.
    private let readsWholeRecord: [Bool]
    /// Whether a projected document can be matched at all: no keyword rule applies to every document.
    private let projects: Bool
    /// ``projection`` without the objects some rules read whole that other paths descend into
    /// (`requestParameters` when rules also read `requestParameters.bucketName`), or `nil` when
    /// there are none; a document parsed with it is matched unless a candidate reads such an object.
    private let leanProjection: JSONProjection?
    /// Per rule, whether it reads an object that ``leanProjection`` leaves out.
    private let readsDeferredPath: [Bool]

    /// Compiles the pre-filters of `rules` into one machine.
    public init(rules: [SigmaRule], mode: Mode = .records) {
        var builder = SigmaRuleSetBuilder(mode: mode)
        for (index, rule) in rules.enumerated() {
            builder.add(rule, index: index)
        }
        self.rules = rules
        unmappedRules = builder.unmapped
        alwaysEvaluatedRules = builder.always
        isEventMode = builder.mapping != nil
        machine = PatternMachine(rules: builder.machineRules)
        owners = builder.owners.map { ($0.rule, $0.isScope ? .scope : .candidate) }
        scopes = builder.scopes
        needles = builder.needles
        ruleNeedles = builder.ruleNeedles
        unscopedNeedleRules = builder.unscopedNeedleRules
        probes = builder.probes.map { ($0.key.objectPath, $0.key.member, $0.value) }
        hasRootProbes = builder.probes.keys.contains { $0.objectPath.isEmpty }
        projection = JSONProjection(paths: Array(builder.readPaths))
        readsWholeRecord = builder.readsWholeRecord
        let deferred = builder.deferredPaths()
        leanProjection =
            deferred.isEmpty ? nil : JSONProjection(paths: Array(builder.readPaths.subtracting(deferred)))
        readsDeferredPath = builder.rulePaths.map { !$0.isDisjoint(with: deferred) }
        projects =
            builder.unscopedNeedleRules.isEmpty && !builder.always.contains { builder.readsWholeRecord[$0] }
    }

    /// What a rule reads of a Tocsin event: its `data` object with the event's top-level
    /// `enrichment` as the member `enrichment`, so `enrichment.threat_intel.list` names what
    /// threat intelligence found.
    ///
    /// A member `enrichment` the producer put in `data` is replaced (or removed, when the event has
    /// no enrichment): only Tocsin's own enrichment can satisfy an `enrichment.…` field. Data that
    /// is not an object is read as it is.
    ///
    /// - Parameter document: The event's match document (CloudEvent JSON with `ocsf`, `enrichment`).
    /// - Returns: The record the rule's fields are resolved against.
    public static func eventRecord(_ document: JSONValue) -> JSONValue {
        guard case .object(var data)? = document["data"] else {
            return document["data"] ?? .null
        }
        let enrichment = document["enrichment"]
        guard enrichment != nil || data["enrichment"] != nil else {
            return .object(data)
        }
        data["enrichment"] = enrichment
        return .object(data)
    }

    /// The indices of the rules that match `document`, ascending.
    ///
    /// Reuse one ``SigmaMatchContext`` per task: matching then does not allocate in steady state.
    public func matches(_ document: JSONValue, context: SigmaMatchContext) -> [Int] {
        switch match(document, context: context, reading: .whole) {
        case .matched(let matches): matches
        case .needs: matchesEvaluatingEveryRule(document)
        }
    }

    /// The indices of the rules that match the JSON document in `bytes`, ascending: the answer of
    /// ``matches(_:context:)`` on the parsed document, for less work.
    ///
    /// The document is parsed keeping only ``projection`` (the rest is validated, not built), and
    /// first without the objects that rules read whole and other rules descend into (in CloudTrail,
    /// `requestParameters` and `responseElements`, most of a record): when a candidate rule reads
    /// one, the document is parsed again with ``projection``. When a candidate rule turns out to
    /// search every value of the record (keywords), the document is parsed again whole for it. Use
    /// this where the parsed document is needed for nothing else.
    ///
    /// - Parameters:
    ///   - bytes: The document (a Tocsin event in events mode, a record otherwise).
    ///   - parser: The parser, with the limits to enforce.
    ///   - context: Scratch space, one per task.
    /// - Returns: The indices of the matching rules, ascending.
    /// - Throws: ``JSONParseError`` when `bytes` is not a JSON document within the parser's limits.
    public func matches(
        bytes: some Collection<UInt8>,
        parser: JSONParser = JSONParser(),
        context: SigmaMatchContext
    ) throws(JSONParseError) -> [Int] {
        if projects {
            var reading = Reading.projected
            if let leanProjection {
                switch match(try parser.parse(bytes, keeping: leanProjection), context: context, reading: .lean) {
                case .matched(let matches): return matches
                case .needs(let more): reading = more
                }
            }
            if reading == .projected,
                case .matched(let matches) = match(
                    try parser.parse(bytes, keeping: projection),
                    context: context,
                    reading: .projected
                )
            {
                return matches
            }
        }
        return matches(try parser.parse(bytes), context: context)
    }

    /// How much of the record a document holds, from least to most.
    private enum Reading {
        /// Parsed with ``leanProjection``.
        case lean
        /// Parsed with ``projection``.
        case projected
        /// Parsed whole.
        case whole
    }

    /// What ``match(_:context:reading:)`` found.
    private enum Outcome {
        /// The indices of the matching rules, ascending.
        case matched([Int])
        /// A rule that may apply reads more than the document holds: match a fuller reading.
        case needs(Reading)
    }

    /// The matches of `document`, or what to read instead when it is projected and a rule that may
    /// apply reads more of the record than the projection keeps.
    private func match(_ document: JSONValue, context: SigmaMatchContext, reading: Reading) -> Outcome {
        let isProjected = reading != .whole
        var document = document
        if isEventMode, case .object(var event) = document,
            event["enrichment"] != nil || event["data"]?["enrichment"] != nil
        {
            // Pre-filters look for `enrichment.…` fields under `data`, where rules read them.
            event["data"] = Self.eventRecord(document)
            document = .object(event)
        }
        let record = isEventMode ? (document["data"] ?? .null) : document
        if isEventMode, case .array = record {
            // Pre-filters that combine fields assume the fields sit in one record, not in
            // different elements of an array `data`; such events are rare, so evaluate every rule.
            return isProjected ? .needs(.whole) : .matched(matchesEvaluatingEveryRule(document))
        }
        machine.match(document, context: context.patterns)
        var candidates = context.candidates
        context.candidates = []  // leaves `candidates` the only reference, so it is reused in place
        candidates.removeAll(keepingCapacity: true)
        var scoped: [Int] = unscopedNeedleRules
        for machineRule in context.patterns.matchedRules {
            let owner = owners[Int(machineRule)]
            switch owner.signal {
            case .candidate: candidates.append(Int(owner.rule))
            case .scope: scoped.append(Int(owner.rule))
            }
        }
        if isProjected, !scoped.isEmpty {
            context.candidates = candidates
            return .needs(.whole)
        }
        if !scoped.isEmpty {
            needles.scan(record, folded: &context.folded, found: &context.foundNeedles)
            for rule in scoped where ruleNeedles[rule].contains(where: { context.foundNeedles[Int($0)] }) {
                candidates.append(rule)
            }
        }
        candidates += alwaysEvaluatedRules
        // Most records have no member name with a dot at their top level: then no top-level probe can hit.
        let rootHasDottedName = hasRootProbes && Self.hasDottedMemberName(record)
        for probe in probes
        where (rootHasDottedName || !probe.objectPath.isEmpty)
            && Self.hasMember(record, path: probe.objectPath[...], member: probe.member)
        {
            for rule in probe.rules where scopes[rule]?.matches(document) ?? !isEventMode {
                candidates.append(rule)
            }
        }
        candidates.sort()
        if isProjected, candidates.contains(where: { readsWholeRecord[$0] }) {
            context.candidates = candidates
            return .needs(.whole)
        }
        if reading == .lean, candidates.contains(where: { readsDeferredPath[$0] }) {
            context.candidates = candidates
            return .needs(.projected)
        }
        var result: [Int] = []
        var last = -1
        for candidate in candidates where candidate != last {
            last = candidate
            if context.evaluator.evaluate(rules[candidate].expression, record: record) {
                result.append(candidate)
            }
        }
        context.candidates = candidates
        return .matched(result)
    }

    /// Whether `value` is an object with a member whose name contains a dot (or an array holding one).
    private static func hasDottedMemberName(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let object):
            return object.members.contains { member in
                var name = member.name
                return name.withUTF8 { $0.contains(UInt8(ascii: ".")) }
            }
        case .array(let elements):
            return elements.contains(where: hasDottedMemberName)
        default:
            return false
        }
    }

    /// Whether an object at `path` (through arrays) has a member named `member`.
    private static func hasMember(_ value: JSONValue, path: ArraySlice<String>, member: String) -> Bool {
        switch value {
        case .object(let object):
            guard let first = path.first else {
                return object[member] != nil
            }
            return object[first].map { hasMember($0, path: path.dropFirst(), member: member) } ?? false
        case .array(let elements):
            return elements.contains { hasMember($0, path: path, member: member) }
        default:
            return false
        }
    }

    /// The indices of the rules that match `document` (allocates a context; see ``matches(_:context:)``).
    public func matches(_ document: JSONValue) -> [Int] {
        matches(document, context: SigmaMatchContext())
    }

    /// The same answer as ``matches(_:context:)``, computed without pre-filters.
    ///
    /// Every rule's scope and detection are evaluated in turn: the reference for differential tests; slow.
    public func matchesEvaluatingEveryRule(_ document: JSONValue) -> [Int] {
        var evaluator = SigmaEvaluator()
        let record = isEventMode ? Self.eventRecord(document) : document
        return rules.indices.filter { index in
            if isEventMode {
                guard let scope = scopes[index], scope.matches(document) else {
                    return false
                }
            }
            return evaluator.evaluate(rules[index].expression, record: record)
        }
    }
}

/// Reusable scratch memory for ``SigmaRuleSet/matches(_:context:)``; one per task, never shared.
public final class SigmaMatchContext {
    let patterns = MatchContext()
    var evaluator = SigmaEvaluator()
    var candidates: [Int] = []
    var folded: [UInt8] = []
    var foundNeedles: [Bool] = []

    /// Creates an empty context.
    public init() {}
}

@available(*, unavailable)
extension SigmaMatchContext: Sendable {}
