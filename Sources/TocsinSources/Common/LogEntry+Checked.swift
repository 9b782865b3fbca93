// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

extension LogEntry {
    /// The entry as it is appended: its event checked against the CloudEvents attribute rules, and
    /// its OCSF view enriched when an enricher is given.
    ///
    /// - Throws: ``SourceError`` when the record's values give an invalid event.
    public func checkedAndEnriched(by enricher: (any OCSFEnricher)?) throws(SourceError) -> LogEntry {
        do {
            try event.validateAttributes()
        } catch {
            throw SourceError(path: "$", message: "the record gives an invalid CloudEvent: \(error)")
        }
        guard let enricher, var view = ocsf else {
            return self
        }
        var entry = self
        entry.ocsf = nil
        enricher.enrich(&view)
        entry.ocsf = view
        return entry
    }
}
