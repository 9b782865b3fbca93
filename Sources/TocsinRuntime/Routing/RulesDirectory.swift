// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The YAML files of a rules directory, as the server and `tocsin config check` read them.
public enum RulesDirectory: Sendable {
    /// Every `*.yaml` / `*.yml` file of `directory`, sorted by name, as (path, contents).
    public static func files(at directory: String) throws -> [(name: String, text: String)] {
        try yamlNames(directory).map { name in
            let path = directory + "/" + name
            return (path, try String(contentsOfFile: path, encoding: .utf8))
        }
    }

    /// Names, sizes and modification times of the YAML files: what a change changes.
    static func signature(of directory: String) -> [String] {
        ((try? yamlNames(directory)) ?? []).map { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(name):\(size):\(modified)"
        }
    }

    private static func yamlNames(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
    }
}
