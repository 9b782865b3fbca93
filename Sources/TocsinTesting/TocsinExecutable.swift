// SPDX-License-Identifier: Apache-2.0

public import Foundation
import Synchronization

/// Finding and starting the real `tocsin` binary from a test process.
public enum TocsinExecutable: Sendable {
    /// The `tocsin` executable built next to the test bundle (or `TOCSIN_BINARY`).
    public static var path: String {
        if let path = ProcessInfo.processInfo.environment["TOCSIN_BINARY"] {
            return path
        }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("tocsin").path
            if FileManager.default.isExecutableFile(atPath: path) {
                return path
            }
        }
        return bundle.appendingPathComponent("tocsin").path
    }

    /// Waits until `tocsin serve` prints `Tocsin listening on http(s)://127.0.0.1:PORT` and each of
    /// `lines` (for example a syslog listener's, which starts beside the HTTP server in no fixed
    /// order) on `handle`, and returns PORT.
    ///
    /// - Throws: ``ServeExitedEarly`` with what the server wrote to `errorLog` when its output ends
    ///   first, or when it has not said it listens within `timeout` (a server that hangs must fail
    ///   its test, not the whole run).
    public static func listeningPort(
        from handle: FileHandle,
        alsoAwaiting lines: [String] = [],
        errorLog: String,
        timeout: Duration = .seconds(120)
    ) async throws -> Int {
        let state = Mutex<(text: String, done: Bool)>(("", false))
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            let seconds = Double(timeout.components.seconds)
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                let output: String? = state.withLock { state in
                    guard !state.done else { return nil }
                    state.done = true
                    return state.text
                }
                guard let output else { return }
                handle.readabilityHandler = nil
                let errors = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
                continuation.resume(
                    throwing: ServeExitedEarly(output: output + "(no listening line within \(timeout))", errors: errors)
                )
            }
            handle.readabilityHandler = { handle in
                let data = handle.availableData
                let outcome: Result<Int, any Error>? = state.withLock { state in
                    guard !state.done else { return nil }
                    if data.isEmpty {
                        state.done = true
                        let errors = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
                        return .failure(ServeExitedEarly(output: state.text, errors: errors))
                    }
                    state.text += String(decoding: data, as: UTF8.self)
                    guard let port = port(in: state.text), lines.allSatisfy(state.text.contains) else { return nil }
                    state.done = true
                    return .success(port)
                }
                guard let outcome else { return }
                if data.isEmpty {
                    // The output ended: nothing more to read, and the handle may go away with the server.
                    handle.readabilityHandler = nil
                } else {
                    // Go on draining the server's output until it ends: a pipe nobody reads would block
                    // or break (SIGPIPE) the server's later lines, such as a syslog listener's.
                    handle.readabilityHandler = { handle in
                        if handle.availableData.isEmpty {
                            handle.readabilityHandler = nil
                        }
                    }
                }
                continuation.resume(with: outcome)
            }
        }
    }

    /// The port of a whole `Tocsin listening on http(s)://127.0.0.1:PORT …` line in `text`.
    static func port(in text: String) -> Int? {
        guard let scheme = text.range(of: "Tocsin listening on http"),
            let range = text.range(of: "://127.0.0.1:", range: scheme.upperBound..<text.endIndex)
        else { return nil }
        let rest = text[range.upperBound...]
        guard rest.contains(" ") else { return nil }
        return Int(rest.prefix { $0.isNumber })
    }
}

/// `tocsin serve` ended its output before it printed that it listens.
public struct ServeExitedEarly: Error, Sendable, CustomStringConvertible {
    /// What it printed.
    public var output: String
    /// What it wrote to its error log.
    public var errors: String

    /// The failure, with what the server said.
    public var description: String { "tocsin serve exited before listening: \(output)\(errors)" }
}
