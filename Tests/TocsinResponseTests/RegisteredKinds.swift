// SPDX-License-Identifier: Apache-2.0

import TocsinActions
import TocsinConfig
import TocsinCore

/// The definition readers with every registered target kind, as the server reads them.
extension TargetDefinition {
    init(name: String, json: JSONValue) throws(ConfigError) {
        try self.init(name: name, json: json, kinds: ActionRegistry.targetKinds)
    }

    /// The JSON the API shows, under a fixed test key.
    var redactedJSON: JSONValue {
        redactedJSON(SecretRedactor(keyBytes: Array(repeating: 7, count: 32)))
    }
}

extension ConfigDirectory {
    init(files: [(name: String, text: String)]) {
        self.init(files: files, kinds: ActionRegistry.targetKinds)
    }
}
