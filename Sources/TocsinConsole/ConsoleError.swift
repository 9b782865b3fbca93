// SPDX-License-Identifier: Apache-2.0

/// A failure inside the console's own plumbing (not a refusal by the API, which pages show).
public struct ConsoleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code for a console failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case answerTooLarge = "answer-too-large"
            case templateMissing = "template-missing"
        }

        private let value: Value

        /// An API answer was larger than the console reads.
        public static let answerTooLarge = Code(value: .answerTooLarge)
        /// A page's template is not in the embedded assets.
        public static let templateMissing = Code(value: .templateMissing)

        /// The code's text.
        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// What happened and how to fix it.
    public var message: String

    /// The error as one line.
    public var description: String { "\(code): \(message)" }

    static let answerTooLarge = ConsoleError(
        code: .answerTooLarge,
        message: "an API answer was larger than the console reads; narrow the view or use the API with paging"
    )

    static func templateMissing(_ name: String) -> ConsoleError {
        ConsoleError(
            code: .templateMissing,
            message: "the console has no template \(name); regenerate the assets with scripts/gen-console-assets.py"
        )
    }
}
