// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// A JSON Schema (draft 2020-12) compiled once into a validator over ``JSONValue``.
///
/// Numbers are compared exactly from their source text (`multipleOf: 0.01` holds for `19.99`), regular
/// expressions run on Tocsin's linear-time ``TocsinRules/BoundedRegex``, and `$ref` resolves inside the
/// document and to the remote documents passed in; nothing is ever fetched. Keywords in
/// ``unsupportedKeywords``, and unknown keywords (other than `x-` annotations), make the schema fail to
/// compile rather than being silently ignored. `format` and the `content*` keywords are annotations, as the
/// draft 2020-12 default says: they never reject an instance.
///
/// ```swift
/// let schema = try JSONSchema(JSONParser().parse(#"{"required": ["user"]}"#))
/// schema.validate(.object(JSONObject()))  // [required at #/required, instance path ""]
/// ```
public struct JSONSchema: Sendable {
    /// Bounds on what a schema may be, so a hostile schema cannot exhaust memory or the stack.
    public struct Limits: Sendable, Hashable {
        /// Most subschemas (after resolving references) in one schema; default 10,000.
        public var maxNodes: Int
        /// Deepest nesting of subschemas and chains of `$ref` while compiling; default 128.
        public var maxDepth: Int
        /// Deepest nesting of subschema evaluations for one instance (a `$ref` cycle that never consumes
        /// input stops here and the instance is rejected); default 256.
        public var maxEvaluationDepth: Int
        /// Most violations reported for one instance; default 16.
        public var maxViolations: Int
        /// Most subschema evaluations for one instance; default 1,000,000.
        ///
        /// Nested `anyOf`s over shared definitions can otherwise take time exponential in the schema's depth;
        /// past the limit the instance is rejected.
        public var maxEvaluationSteps: Int

        /// Creates limits.
        public init(
            maxNodes: Int = 10_000,
            maxDepth: Int = 128,
            maxEvaluationDepth: Int = 256,
            maxViolations: Int = 16,
            maxEvaluationSteps: Int = 1_000_000
        ) {
            self.maxNodes = maxNodes
            self.maxDepth = maxDepth
            self.maxEvaluationDepth = maxEvaluationDepth
            self.maxViolations = maxViolations
            self.maxEvaluationSteps = maxEvaluationSteps
        }
    }

    /// The `$schema` values accepted: draft 2020-12 only.
    public static let supportedDialects: Set<String> = [
        "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#",
    ]

    /// Draft 2020-12 keywords that are not implemented, each with the reason; a schema that uses one is rejected.
    public static let unsupportedKeywords: [String: String] = [
        "$vocabulary": "custom meta-schemas are not supported; every schema uses the full 2020-12 vocabulary",
        "$recursiveRef": "a draft 2019-09 keyword; draft 2020-12 replaced it with \"$dynamicRef\"",
        "$recursiveAnchor": "a draft 2019-09 keyword; draft 2020-12 replaced it with \"$dynamicAnchor\"",
        "definitions": "a draft-07 keyword; rename it \"$defs\"",
        "dependencies": "a draft-07 keyword; use \"dependentRequired\" or \"dependentSchemas\"",
    ]

    /// The base URI of a root schema without `$id`.
    public static let defaultBaseURI = "urn:tocsin:schema"

    let nodes: [SchemaNode]
    let dynamicAnchors: [String: Int]
    let root: Int
    /// The limits this schema was compiled with.
    public let limits: Limits

    /// Compiles `document`.
    ///
    /// - Parameters:
    ///   - document: The schema (an object or a boolean).
    ///   - remotes: Other schema documents by the URI they are retrieved from, for `$ref`s that leave the document.
    ///   - limits: Bounds on the schema's size and on evaluation.
    /// - Throws: ``SchemaError`` with the location of the first keyword that is unsupported, malformed, refers to
    ///   nothing, or goes beyond `limits`.
    public init(
        _ document: JSONValue,
        remotes: [String: JSONValue] = [:],
        limits: Limits = Limits()
    )
        throws(SchemaError)
    {
        var documents = SchemaDocuments()
        documents.add(document, uri: SchemaURI(Self.defaultBaseURI))
        for (uri, remote) in remotes.sorted(by: { $0.key < $1.key }) {
            documents.add(remote, uri: SchemaURI(uri))
        }
        var compiler = SchemaCompiler(documents: documents, limits: limits)
        root = try compiler.compileRoot(at: SchemaLocation(document: 0, pointer: ""))
        nodes = compiler.nodes
        dynamicAnchors = compiler.dynamicAnchors
        self.limits = limits
    }

    /// Every way `instance` breaks the schema, up to ``Limits/maxViolations``; empty when it is valid.
    public func validate(_ instance: JSONValue) -> [SchemaViolation] {
        var evaluator = SchemaEvaluator(nodes: nodes, dynamicAnchors: dynamicAnchors, limits: limits)
        var evaluated: SchemaEvaluated?
        _ = evaluator.evaluate(root, instance, &evaluated)
        return evaluator.violations
    }

    /// Whether `instance` is valid; stops at the first failure.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(nodes: nodes, dynamicAnchors: dynamicAnchors, limits: limits)
        evaluator.muted = 1
        var evaluated: SchemaEvaluated?
        return evaluator.evaluate(root, instance, &evaluated)
    }
}
