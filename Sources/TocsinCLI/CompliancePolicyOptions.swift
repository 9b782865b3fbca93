// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinConfig
import TocsinRuntime

/// The `tocsin serve` option that names the compliance policy file (docs/compliance.md).
struct CompliancePolicyOptions: ParsableArguments {
    @Option(
        name: .customLong("compliance-policy"),
        help: ArgumentHelp(
            "A YAML file of compliance rules per source/type/field: report, mask, hash, drop or reject the personal and secret data the detectors find in event data at ingest (env TOCSIN_COMPLIANCE_POLICY).",
            valueName: "file"
        )
    )
    var file: String?

    /// Reads and validates the file named by the option, the environment or `tocsin.yaml`.
    ///
    /// - Throws: `ValidationError` when the file cannot be read; ``ConfigError`` with every problem in it.
    func apply(to configuration: inout RuntimeConfiguration, settings: ServeSettings) throws {
        guard let path = settings.text(.compliancePolicy, file) else {
            return
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ValidationError(
                "--compliance-policy: cannot read \(path) as UTF-8 text; check the path and permissions"
            )
        }
        configuration.compliancePolicy = try CompliancePolicyFile.parse(text: text, file: path)
    }
}
