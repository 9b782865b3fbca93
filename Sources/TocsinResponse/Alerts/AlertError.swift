// SPDX-License-Identifier: Apache-2.0

/// An alert or incident event that cannot be read, located by the JSON path of the member at fault.
///
/// Messages name the member and what it must be; they never contain the member's value.
public struct AlertError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// A `tocsin.alert.raised` event whose data does not follow the alert schema.
        public static let invalidAlert = Code("invalid-alert")
        /// A `tocsin.incident.*` event whose data does not follow the incident event schema.
        public static let invalidIncidentEvent = Code("invalid-incident-event")

        /// The code's stable text.
        public var description: String {
            name
        }
    }

    /// The reason.
    public var code: Code
    /// The JSON path of the member at fault (`$.data.level`).
    public var path: String
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates an error.
    public init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// `<path>: <message>`.
    public var description: String {
        "\(path): \(message)"
    }
}
