// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinConfig
import TocsinRuntime

/// The `tocsin serve` option that names the personal-data file (docs/erasure.md).
struct PersonalDataOptions: ParsableArguments {
    @Option(
        name: .customLong("personal-data"),
        help: ArgumentHelp(
            "A YAML file of personal fields per source/type and the path of their data subject; those fields are sealed with the subject's key at ingest and 'tocsin erase' destroys it (env TOCSIN_PERSONAL_DATA).",
            valueName: "file"
        )
    )
    var file: String?

    /// Reads and validates the file named by the option, the environment or `tocsin.yaml`.
    ///
    /// - Throws: `ValidationError` when the file cannot be read; ``ConfigError`` with every problem in it.
    func apply(to configuration: inout RuntimeConfiguration, settings: ServeSettings) throws {
        guard let path = settings.text(.personalData, file) else {
            return
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ValidationError("--personal-data: cannot read \(path) as UTF-8 text; check the path and permissions")
        }
        configuration.personalData = try PersonalDataFile.parse(text: text, file: path)
    }
}
