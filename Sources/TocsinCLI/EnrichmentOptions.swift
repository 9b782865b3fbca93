// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import TocsinConfig
import TocsinRuntime

/// The `tocsin serve` options for threat-intelligence lists and the identity directory
/// (docs/sources/enrichment.md).
struct EnrichmentOptions: ParsableArguments {
    @Option(
        name: .customLong("threat-intel"),
        help: ArgumentHelp(
            "A threat-intelligence list: one IP, CIDR, domain or hash per line, named after the file; reloaded on change; repeat for several (env TOCSIN_THREAT_INTEL, comma-separated).",
            valueName: "file"
        )
    )
    var threatIntelFiles: [String] = []

    @Option(
        name: .customLong("identity-directory"),
        help: ArgumentHelp(
            "A CSV file with the header user,email,team,manager,risk; events get the team, manager and risk of their user; reloaded on change (env TOCSIN_IDENTITY_DIRECTORY).",
            valueName: "file"
        )
    )
    var identityDirectory: String?

    /// Sets the enrichment files of `configuration`.
    func apply(to configuration: inout RuntimeConfiguration, settings: ServeSettings) {
        configuration.threatIntelFiles = settings.list(.threatIntel, threatIntelFiles)
        configuration.identityDirectory = settings.text(.identityDirectory, identityDirectory)
    }
}
