// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Compresses `bytes` with the system `gzip`, so tests check Tocsin's reader against the real tool.
///
/// The input is written from its own thread: a large input would otherwise fill the pipe while
/// nothing reads the output.
public func systemGzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-c"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let writer = Thread {
        try? input.fileHandleForWriting.write(contentsOf: bytes)
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Array(data)
}
