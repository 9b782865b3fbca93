// SPDX-License-Identifier: Apache-2.0

/// Finds personal and secret data in the string values of JSON events.
///
/// The scanner reads the event's bytes once: it walks the JSON structure without building a tree,
/// keeps the path to the current value as a stack of byte ranges, and runs every detector over
/// each string value (see ``ComplianceCategory``). Paths are rendered only for values that have
/// findings. A finding names the category and the path, never the value.
public struct ComplianceScanner: Sendable {
    /// The deepest nesting of objects and arrays the scanner follows.
    public static let maximumDepth = 256

    /// A scanner with every detector.
    public init() {}

    /// The findings in the JSON document `json`, in document order, one per category and value.
    ///
    /// - Parameter json: UTF-8 JSON text.
    /// - Returns: The findings; empty when nothing was found.
    /// - Throws: ``ComplianceScanError`` when `json` is not one well-formed JSON document.
    public func scan(json: [UInt8]) throws(ComplianceScanError) -> [ComplianceFinding] {
        try json.withUnsafeBufferPointer { (bytes) throws(ComplianceScanError) in
            try scan(json: bytes)
        }
    }

    /// The findings in the JSON document `json`, in document order, one per category and value.
    ///
    /// - Parameter json: UTF-8 JSON text, valid for the duration of the call.
    /// - Returns: The findings; empty when nothing was found.
    /// - Throws: ``ComplianceScanError`` when `json` is not one well-formed JSON document.
    public func scan(json: UnsafeBufferPointer<UInt8>) throws(ComplianceScanError) -> [ComplianceFinding] {
        var walker = JSONWalker(json: json)
        try walker.walkDocument()
        return walker.findings
    }

    /// The categories found in one piece of text, as if it were a string value.
    ///
    /// - Parameters:
    ///   - text: The text.
    ///   - memberName: The name of the member that holds the text, if any: a name that mentions
    ///     a secret lets a bare 40-character token count as an AWS secret access key.
    /// - Returns: The categories found.
    public func categories(in text: String, memberName: String? = nil) -> ComplianceCategorySet {
        var text = text
        var name = memberName ?? ""
        return text.withUTF8 { text in name.withUTF8 { TextScan.categories(in: text, memberName: $0) } }
    }
}
