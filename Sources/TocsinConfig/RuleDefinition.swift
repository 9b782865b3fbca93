// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import TocsinResponse
public import TocsinRules

/// A routing rule: an event pattern and the targets its matches go to.
public struct RuleDefinition: Sendable, Hashable {
    /// One target of a rule, with how the event is shaped for it.
    public struct Target: Sendable, Hashable {
        /// The target's name.
        public var target: String
        /// What to send instead of the whole event, if anything.
        public var input: InputTransform?
    }

    /// The rule's name.
    public var name: String
    /// The pattern as given (kept to show and to store).
    public var patternSource: JSONValue
    /// The compiled pattern.
    public var pattern: EventPattern
    /// Whether the rule routes events.
    public var enabled: Bool
    /// What the rule is for, for people.
    public var description: String?
    /// When set, matches are recorded as dry-run deliveries and nothing is sent.
    public var dryRun: Bool
    /// Where matched events go, in order.
    public var targets: [Target]
    /// When set, the rule alerts once a group of matches crosses it, and its targets receive the
    /// event that crossed it with the alert attached, instead of every match.
    public var threshold: RuleThreshold?
    /// When set, the rule alerts on a value never seen before for its key, after a learning period.
    public var firstSeen: RuleFirstSeen?
    /// When set, the rule alerts when its events stop arriving for a group.
    public var absence: RuleAbsence?
    /// When set, the rule alerts on two events of one user too far apart for the time between them.
    public var impossibleTravel: RuleImpossibleTravel?
    /// A staged rule's alerts are recorded; its targets never fire.
    public var staged: Bool
    /// How serious the rule's alerts are (detection rules; default `medium`).
    public var level: Alert.Level
    /// Inline tests, run by `tocsin rules test`; routing ignores them.
    public var tests: [RuleTest]

    /// Reads a rule definition, reporting every problem at once.
    ///
    /// - Throws: ``ConfigError`` with one diagnostic per problem.
    public init(name: String, json: JSONValue) throws(ConfigError) {
        var diagnostics: [ConfigDiagnostic] = []
        if let problem = DefinitionName.problem(name) {
            diagnostics.append(ConfigDiagnostic(path: "$", message: problem))
        }
        guard var reader = ObjectReader(json, path: "$", diagnostics: &diagnostics) else {
            throw ConfigError(diagnostics)
        }
        var pattern: EventPattern?
        let source = reader.value("pattern")
        if let source {
            do {
                pattern = try PatternTestLine.compile(source)
            } catch {
                let path = error.path == "$" ? "$.pattern" : "$.pattern" + error.path.dropFirst()
                reader.diagnostics.append(ConfigDiagnostic(path: path, message: error.message))
            }
        } else {
            reader.diagnostics.append(ConfigDiagnostic(path: "$.pattern", message: "is required (an event pattern)"))
        }
        let enabled = reader.bool("enabled", default: true)
        let description = reader.string("description")
        let dryRun = reader.bool("dry_run", default: false)
        let staged = reader.bool("staged", default: false)
        var level = Alert.Level.medium
        if let text = reader.string("level") {
            if let known = Alert.Level(rawValue: text) {
                level = known
            } else {
                reader.diagnostics.append(
                    ConfigDiagnostic(path: reader.childPath("level"), message: "must be one of \(Alert.Level.names)")
                )
            }
        }
        let threshold = reader.value("threshold").flatMap {
            RuleThreshold($0, path: reader.childPath("threshold"), diagnostics: &reader.diagnostics)
        }
        let firstSeen = reader.value("first_seen").flatMap {
            RuleFirstSeen($0, path: reader.childPath("first_seen"), diagnostics: &reader.diagnostics)
        }
        let absence = reader.value("absence").flatMap {
            RuleAbsence($0, path: reader.childPath("absence"), diagnostics: &reader.diagnostics)
        }
        let travel = reader.value("impossible_travel").flatMap {
            RuleImpossibleTravel($0, path: reader.childPath("impossible_travel"), diagnostics: &reader.diagnostics)
        }
        let declared = Self.detectionKeys.filter { reader.object[$0] != nil }
        if declared.count > 1 {
            reader.diagnostics.append(
                ConfigDiagnostic(
                    path: reader.childPath(declared[1]),
                    message: "a rule declares at most one of \(Self.detectionKeys.joined(separator: ", ")); split it"
                )
            )
        }
        var targets: [Target] = []
        if case .array(let elements)? = reader.value("targets") {
            for (index, element) in elements.enumerated() {
                if let target = Self.readTarget(element, path: "$.targets[\(index)]", diagnostics: &reader.diagnostics)
                {
                    targets.append(target)
                }
            }
        } else {
            reader.diagnostics.append(
                ConfigDiagnostic(
                    path: "$.targets",
                    message: "is required: a list such as [{\"target\": \"soc-webhook\"}]"
                )
            )
        }
        let tests = RuleTest.list(from: &reader)
        reader.rejectUnknown()
        diagnostics += reader.diagnostics
        guard diagnostics.isEmpty, let pattern, let source else {
            throw ConfigError(diagnostics)
        }
        self.name = name
        self.patternSource = source
        self.pattern = pattern
        self.enabled = enabled
        self.description = description
        self.dryRun = dryRun
        self.targets = targets
        self.threshold = threshold
        self.firstSeen = firstSeen
        self.absence = absence
        self.impossibleTravel = travel
        self.staged = staged
        self.level = level
        self.tests = tests
    }

    /// The keys that make a pattern rule a detection; a rule declares at most one.
    public static let detectionKeys = ["threshold", "first_seen", "absence", "impossible_travel"]

    /// Whether the rule is a detection (it declares one of ``detectionKeys``): its matches are not
    /// routed one by one; its alerts are.
    public var isDetection: Bool {
        threshold != nil || firstSeen != nil || absence != nil || impossibleTravel != nil
    }

    private static func readTarget(_ value: JSONValue, path: String, diagnostics: inout [ConfigDiagnostic]) -> Target? {
        guard var reader = ObjectReader(value, path: path, diagnostics: &diagnostics) else {
            return nil
        }
        let name = reader.string("target", required: true)
        var input: InputTransform?
        if let inputPath = reader.jsonPath("input_path") {
            input = .path(inputPath)
        }
        if let transformer = reader.value("input_transformer"),
            var transformReader = ObjectReader(
                transformer,
                path: reader.childPath("input_transformer"),
                diagnostics: &reader.diagnostics
            )
        {
            var paths: [String: JSONPath] = [:]
            if case .object(let map)? = transformReader.value("input_paths_map") {
                for member in map.members {
                    if let text = member.value.stringValue, let jsonPath = JSONPath(text) {
                        paths[member.name] = jsonPath
                    } else {
                        transformReader.diagnostics.append(
                            ConfigDiagnostic(
                                path: transformReader.childPath("input_paths_map.\(member.name)"),
                                message: "must be a JSON path such as \"$.data.ip\""
                            )
                        )
                    }
                }
            }
            if let template = transformReader.string("input_template", required: true) {
                if input != nil {
                    transformReader.diagnostics.append(
                        ConfigDiagnostic(
                            path: reader.childPath("input_transformer"),
                            message: "use either input_path or input_transformer, not both"
                        )
                    )
                }
                input = .template(paths: paths, template: template)
            }
            transformReader.rejectUnknown()
            reader.diagnostics += transformReader.diagnostics
        }
        reader.rejectUnknown()
        diagnostics += reader.diagnostics
        return name.map { Target(target: $0, input: input) }
    }

    /// The definition as JSON (as given, plus defaults), for the API and the log.
    public var json: JSONValue {
        var members: [JSONObject.Member] = [
            .init(name: "pattern", value: patternSource), .init(name: "enabled", value: .bool(enabled)),
        ]
        if let description {
            members.append(.init(name: "description", value: .string(description)))
        }
        members.append(.init(name: "dry_run", value: .bool(dryRun)))
        if let threshold {
            members.append(.init(name: "threshold", value: threshold.json))
        }
        if staged {
            members.append(.init(name: "staged", value: .bool(true)))
        }
        if let firstSeen {
            members.append(.init(name: "first_seen", value: firstSeen.json))
        }
        if let absence {
            members.append(.init(name: "absence", value: absence.json))
        }
        if let impossibleTravel {
            members.append(.init(name: "impossible_travel", value: impossibleTravel.json))
        }
        if isDetection || level != .medium {
            members.append(.init(name: "level", value: .string(level.rawValue)))
        }
        if !tests.isEmpty {
            members.append(.init(name: "tests", value: .array(tests.map(\.json))))
        }
        members.append(
            .init(
                name: "targets",
                value: .array(
                    targets.map { target in
                        var entry: [JSONObject.Member] = [.init(name: "target", value: .string(target.target))]
                        if let input = target.input {
                            entry.append(input.jsonMember)
                        }
                        return .object(JSONObject(entry))
                    }
                )
            )
        )
        return .object(JSONObject(members))
    }
}
