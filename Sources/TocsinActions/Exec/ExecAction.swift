// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
import TocsinResponse

/// `kind: exec`: runs a program with the event's JSON (or the transformed input) on standard input;
/// its exit status is the outcome.
public struct ExecAction: Action, Hashable {
    /// `exec`.
    public static let kindName = "exec"
    /// Absolute path of the program.
    public var command: String
    /// Arguments passed to the program as they are (no shell).
    public var arguments: [String]
    /// Exit statuses that mean retrying cannot help: the delivery is dead-lettered at once.
    public var permanentExitCodes: Set<Int32>

    /// Creates the settings.
    public init(command: String, arguments: [String] = [], permanentExitCodes: Set<Int32> = []) {
        self.command = command
        self.arguments = arguments
        self.permanentExitCodes = permanentExitCodes
    }

    /// Reads `command`, `args` and `permanent_exit_codes`.
    public static func read(_ reader: inout ObjectReader) -> ExecAction? {
        let command = reader.string("command", required: true)
        if let command, !command.hasPrefix("/") {
            reader.report("command", "must be an absolute path (no PATH lookup)")
        }
        let arguments = reader.strings("args")
        var permanent: Set<Int32> = []
        if let value = reader.value("permanent_exit_codes") {
            var codes: [Int64] = []
            var count = -1
            if case .array(let elements) = value {
                count = elements.count
                codes = elements.compactMap { element in
                    if case .number(let number) = element { number.int64Value } else { nil }
                }
            }
            if codes.count == count, codes.allSatisfy({ (1...255).contains($0) }) {
                permanent = Set(codes.map { Int32($0) })
            } else {
                reader.report("permanent_exit_codes", "must be an array of exit statuses from 1 to 255")
            }
        }
        return command.map { ExecAction(command: $0, arguments: arguments, permanentExitCodes: permanent) }
    }

    /// The command, its arguments and the permanent exit statuses.
    public func redactedMembers(_ redactor: SecretRedactor) -> [JSONObject.Member] {
        var members: [JSONObject.Member] = [
            .init(name: "command", value: .string(command)),
            .init(name: "args", value: .array(arguments.map { .string($0) })),
        ]
        if !permanentExitCodes.isEmpty {
            let codes = permanentExitCodes.sorted().map { JSONValue.number(JSONNumber(Int64($0))) }
            members.append(.init(name: "permanent_exit_codes", value: .array(codes)))
        }
        return members
    }

    /// An exec target runs a program on the host.
    public var hostConfigurationReason: String? {
        "an exec target runs a program on the Tocsin host"
    }

    /// The program must exist and be executable.
    public func hostProblems() -> [String] {
        HostFiles.isExecutable(command) ? [] : ["\(command) is not an executable file on this host"]
    }

    /// Runs the program; a failure names it, and a listed exit status makes the failure permanent.
    public func perform(_ request: ActionRequest, context: any ActionContext) async -> ActionResult {
        let input = request.transformed ?? JSONWriter().bytes(request.event)
        let outcome = await context.run(
            command: command,
            arguments: arguments,
            input: input,
            timeoutMilliseconds: request.target.timeoutMilliseconds
        )
        guard case .failed(var failure) = outcome else {
            return ActionResult(outcome)
        }
        failure.message = "\(command): \(failure.message)"
        if let status = failure.exitStatus, permanentExitCodes.contains(status) {
            failure.isPermanent = true
            failure.message += " (listed in permanent_exit_codes)"
        }
        return ActionResult(.failed(failure))
    }
}
