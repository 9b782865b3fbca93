// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinCore
import TocsinSources

/// Threat-intelligence lists and the identity directory, as `tocsin serve` wires them: read at
/// start (a problem stops the start), then applied to every ingested event and reloaded on change.
struct EnrichmentSetup: Sendable {
    private let files: EnrichmentFiles?
    private let state: EnrichmentState?

    /// Reads the configured files; nothing when none is configured.
    ///
    /// - Throws: ``EnrichmentError`` naming the file and line of every problem found.
    init(_ configuration: RuntimeConfiguration) throws(EnrichmentError) {
        guard !configuration.threatIntelFiles.isEmpty || configuration.identityDirectory != nil else {
            files = nil
            state = nil
            return
        }
        let files = try EnrichmentFiles(
            listPaths: configuration.threatIntelFiles,
            directoryPath: configuration.identityDirectory
        )
        self.files = files
        self.state = EnrichmentState(files.enricher)
    }

    /// The log ingestion appends to: `store` itself, or `store` behind the enrichment.
    func log(over store: any EventLog) -> any EventLog {
        state.map { EnrichingEventLog(base: store, state: $0) } ?? store
    }

    /// The watcher that reloads the files and records each load in `log`; none without files.
    func services(log: any EventLog, logger: Logger) -> [any Service] {
        guard let files, let state else {
            return []
        }
        return [EnrichmentWatcher(initial: files, state: state, log: log, logger: logger)]
    }
}
