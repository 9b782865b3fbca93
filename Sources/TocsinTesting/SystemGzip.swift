// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Compresses `bytes` with the system `gzip`, so tests check Tocsin's reader against the real tool.
///
/// Input and output go through files, not pipes: a pipe's end inherited by a process that another
/// test spawns at the same moment would keep it open, and the end of the output would never come.
public func systemGzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let directory = try TemporaryDirectory(prefix: "tocsin-gzip")
    defer { directory.remove() }
    let input = directory.path + "/input"
    let output = directory.path + "/input.gz"
    try Data(bytes).write(to: URL(fileURLWithPath: input))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-n", "-k", input]
    process.standardInput = FileHandle.nullDevice
    try ProcessLaunch.run(process)
    let exit = process.waitForKernelExit()
    guard exit == ChildExit(status: 0, bySignal: false) else {
        throw GzipFailed(exit: exit)
    }
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
}

/// The system `gzip` did not end with status 0.
public struct GzipFailed: Error, CustomStringConvertible {
    /// How it ended.
    public let exit: ChildExit

    /// What the test log shows.
    public var description: String { "gzip ended with \(exit)" }
}
