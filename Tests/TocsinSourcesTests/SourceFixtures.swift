// SPDX-License-Identifier: Apache-2.0

import Foundation
import TocsinCore
import TocsinSources

/// The copied sample records (see NOTICE), by fixture folder.
enum SourceFixtures {
    /// 2026-11-25T12:00:00Z, the collector's clock.
    static let reference: Int64 = 1_795_608_000_000

    static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    /// Every file in `folder`, sorted by name.
    static func files(_ folder: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(
            at: directory.appendingPathComponent(folder),
            includingPropertiesForKeys: nil
        )
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func bytes(_ folder: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(folder).appendingPathComponent(name)))
    }

    /// Decodes a fixture file with `format`.
    static func decode(_ format: SourceFormat, _ folder: String, _ name: String) throws -> SourceBatch {
        try SourceDecoder(format: format, referenceMilliseconds: reference).decode(try bytes(folder, name))
    }

    /// The one entry a fixture file holds at `index`, with its OCSF view.
    static func entry(
        _ format: SourceFormat,
        _ folder: String,
        _ name: String,
        at index: Int = 0
    ) throws -> (event: CloudEvent, ocsf: JSONValue) {
        let batch = try decode(format, folder, name)
        let entry = batch.entries[index]
        return (entry.event, entry.ocsf ?? .null)
    }
}

extension JSONValue {
    /// The member at a dotted path (`src_endpoint.ip`), for assertions.
    func at(_ path: String) -> JSONValue? {
        var current: JSONValue? = self
        for key in path.split(separator: ".") {
            current = current?[String(key)]
        }
        return current
    }

    /// The text of a string or number at a dotted path.
    func text(_ path: String) -> String? {
        switch at(path) {
        case .string(let text): return text
        case .number(let number): return number.text
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }
}
