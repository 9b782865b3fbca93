// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// A validated EventBridge event pattern.
///
/// Create one from source text with ``init(text:limits:)`` (the form that honours repeated keys)
/// or from a parsed value with ``init(json:limits:)``. ``matches(_:)`` is the reference matcher:
/// simple and slow. Route many patterns with ``PatternMachine``.
public struct EventPattern: Sendable, Hashable {
    /// The conjunctions, one per `$or` combination.
    let subRules: [SubRule]

    /// Compiles pattern source text.
    ///
    /// - Throws: ``PatternError`` with the JSON path and what would be valid.
    public init(text: String, limits: PatternLimits = PatternLimits()) throws(PatternError) {
        try self.init(bytes: Array(text.utf8), limits: limits)
    }

    /// Compiles pattern source bytes (UTF-8).
    ///
    /// - Throws: ``PatternError`` with the JSON path and what would be valid.
    public init(bytes: [UInt8], limits: PatternLimits = PatternLimits()) throws(PatternError) {
        let parser = JSONParser(
            limits: .init(maxDepth: limits.maxDepth, maxBytes: limits.maxBytes, allowsDuplicateMembers: true)
        )
        let value: JSONValue
        do {
            value = try parser.parse(bytes)
        } catch {
            let code: PatternError.Code = error.code == .tooDeep || error.code == .tooLarge ? .limitExceeded : .syntax
            throw PatternError(code: code, path: "$", message: "\(error.message) (byte \(error.offset))")
        }
        try self.init(json: value, limits: limits)
    }

    /// Compiles an already parsed pattern.
    ///
    /// - Throws: ``PatternError`` with the JSON path and what would be valid.
    public init(json: JSONValue, limits: PatternLimits = PatternLimits()) throws(PatternError) {
        var compiler = PatternCompiler(limits: limits)
        subRules = try compiler.compile(json)
    }

    /// The number of sub-rules `$or` expanded into.
    public var combinationCount: Int {
        subRules.count
    }

    /// The field paths the pattern tests, each a list of member names from the event's top.
    ///
    /// Matching reads nothing else of an event: an event parsed keeping only these paths (see
    /// `JSONProjection`) matches exactly when the whole event does.
    public var fieldPaths: [[String]] {
        var paths: [[String]] = []
        for condition in subRules.map(\.conditions).joined() where !paths.contains(condition.segments) {
            paths.append(condition.segments)
        }
        return paths
    }

    /// Whether `event` matches, computed the simple way (the reference for ``PatternMachine``).
    public func matches(_ event: JSONValue) -> Bool {
        let leaves = EventLeaf.flatten(event)
        return subRules.contains { ReferenceMatcher.matches($0, leaves: leaves) }
    }
}
