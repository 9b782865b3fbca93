// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Why a publish was refused: which event of the request broke which schema, and how.
///
/// The ingest paths turn it into a `400` problem; ``detail`` names the entry, the type, the schema version, and
/// each violated keyword with its instance path, never a data value.
public struct SchemaRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The zero-based position of the event in the request (always 0 for a single event).
    public var index: Int
    /// The event's CloudEvents `type`.
    public var type: String
    /// The schema version the data was checked against.
    public var version: Int
    /// What is wrong with the data (at least one).
    public var violations: [SchemaViolation]

    /// Creates a rejection.
    public init(index: Int, type: String, version: Int, violations: [SchemaViolation]) {
        self.index = index
        self.type = type
        self.version = version
        self.violations = violations
    }

    /// One sentence for a problem document's `detail`.
    public var detail: String {
        let problems = violations.map { violation in
            "\(violation.keyword) at \(violation.instancePath.isEmpty ? "/" : violation.instancePath) "
                + "(\(violation.message))"
        }
        return "event \(index) (type \(type)) does not match schema version \(version): "
            + problems.joined(separator: "; ")
    }

    /// The ``detail``.
    public var description: String { detail }
}

extension SchemaRegistry {
    /// The first event whose data breaks its type's newest schema, or `nil` when every event passes.
    ///
    /// Costs one check of an empty dictionary per call when no schema is registered, and one lookup per event
    /// otherwise; data is parsed only for types that have a schema. An event without data is checked as `null`;
    /// one with binary data fails, since a schema describes JSON.
    ///
    /// - Parameters:
    ///   - events: The events of one publish request, in request order.
    ///   - parser: The parser (and limits) for JSON data.
    /// - Returns: The rejection to report, naming the event's position.
    public func firstRejection(in events: [CloudEvent], parser: JSONParser = JSONParser()) -> SchemaRejection? {
        guard hasSchemas else {
            return nil
        }
        for (index, event) in events.enumerated() {
            guard let version = latest(of: event.type) else {
                continue
            }
            var violations: [SchemaViolation]
            switch event.data {
            case .none:
                violations = version.schema.validate(.null)
            case .text(let text):
                violations = version.schema.validate(.string(text))
            case .json(let bytes):
                do {
                    violations = version.schema.validate(try parser.parse(bytes))
                } catch {
                    violations = [Self.dataViolation("the data is not valid JSON (\(error.code))")]
                }
            case .binary:
                violations = [Self.dataViolation("the data is binary; the type's schema describes JSON data")]
            }
            if !violations.isEmpty {
                return SchemaRejection(index: index, type: event.type, version: version.version, violations: violations)
            }
        }
        return nil
    }

    private static func dataViolation(_ message: String) -> SchemaViolation {
        SchemaViolation(keyword: "type", schemaLocation: "#", instancePath: "", message: message)
    }
}
