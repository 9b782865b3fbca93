// SPDX-License-Identifier: Apache-2.0

import Foundation

/// A program run by a test did not end.
public struct ProgramStillRunning: Error, Sendable, CustomStringConvertible {
    /// The program and its first argument.
    public let program: String

    /// What the test log shows.
    public var description: String { "\(program) still ran after 5 minutes; it was killed" }
}

/// Runs the program at `path` with `arguments` (and `input` on standard input) and returns its exit
/// status (the signal's number when a signal ended it), standard output and standard error.
///
/// Files, not pipes: a pipe's end inherited by a process another test spawns at the same moment
/// would hold it open, and the run would wait for that process's end too. The exit is read from the
/// kernel (``Foundation/Process/exit(within:)``) for the same reason.
///
/// - Throws: ``ProgramStillRunning`` (after killing it) when it runs for more than 5 minutes.
public func runProgram(
    _ path: String,
    _ arguments: [String],
    environment: [String: String] = [:],
    input: [UInt8] = []
) async throws -> (status: Int32, output: String, errors: String) {
    let directory = try TemporaryDirectory(prefix: "tocsin-run")
    defer { directory.remove() }
    let files = (input: directory.path + "/in", output: directory.path + "/out", errors: directory.path + "/err")
    try Data(input).write(to: URL(fileURLWithPath: files.input))
    for file in [files.output, files.errors] {
        _ = FileManager.default.createFile(atPath: file, contents: nil)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: files.input))
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: files.output))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: files.errors))
    try ProcessLaunch.run(process)
    guard let exit = await process.exit(within: .seconds(300)) else {
        kill(process.processIdentifier, SIGKILL)
        throw ProgramStillRunning(program: "\(path) \(arguments.first ?? "")")
    }
    let read = { (file: String) in (try? String(contentsOfFile: file, encoding: .utf8)) ?? "" }
    return (exit.status, read(files.output), read(files.errors))
}
