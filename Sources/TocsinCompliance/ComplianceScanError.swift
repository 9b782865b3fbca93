// SPDX-License-Identifier: Apache-2.0

/// Why an event could not be scanned: its bytes are not a JSON document.
///
/// The message names a byte offset, never content, so it is safe to print and log.
public struct ComplianceScanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let value: String

        private init(_ value: String) {
            self.value = value
        }

        /// The bytes are not well-formed JSON.
        public static let malformedJSON = Code("malformed-json")
        /// Objects and arrays are nested deeper than the scanner follows.
        public static let tooDeep = Code("too-deep")

        /// The code's stable text, for example `malformed-json`.
        public var description: String {
            value
        }
    }

    /// The reason.
    public var code: Code
    /// Zero-based byte offset where the problem was found.
    public var offset: Int

    /// An error with `code` at byte `offset`.
    public init(code: Code, offset: Int) {
        self.code = code
        self.offset = offset
    }

    /// What is wrong, where, and how to fix it.
    public var description: String {
        switch code {
        case .tooDeep:
            "\(code): nesting deeper than \(ComplianceScanner.maximumDepth) levels at byte \(offset); flatten the event"
        default:
            "\(code): not valid JSON at byte \(offset); give one JSON document per event"
        }
    }
}
