// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation

/// How client commands find and authenticate to a server.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL (env TOCSIN_SERVER; default http://127.0.0.1:8080).")
    var server: String?

    @Option(help: "API key (env TOCSIN_KEY; default: the admin key in the data directory).")
    var key: String?

    @Option(
        name: .customLong("data-dir"),
        help: "Data directory holding admin.key (env TOCSIN_DATA_DIR; default ./tocsin-data)."
    )
    var dataDirectory: String?

    /// The server URL without a trailing slash.
    var resolvedServer: String {
        var url = server ?? Environment.value("TOCSIN_SERVER") ?? "http://127.0.0.1:8080"
        while url.hasSuffix("/") {
            url.removeLast()
        }
        return url
    }

    /// The API key, or `nil` when none is configured (the server may run with auth disabled).
    func resolvedKey() throws -> String? {
        if let key = key ?? Environment.value("TOCSIN_KEY") {
            return key
        }
        let directory = dataDirectory ?? Environment.value("TOCSIN_DATA_DIR") ?? "./tocsin-data"
        let path = directory + "/admin.key"
        guard FileManager.default.fileExists(atPath: path) else {
            return nil
        }
        return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func makeClient() throws -> APIClient {
        APIClient(server: resolvedServer, key: try resolvedKey())
    }
}

/// Reads `TOCSIN_*` settings from the process environment.
enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            return nil
        }
        return value
    }
}

/// Output formats shared by client commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
