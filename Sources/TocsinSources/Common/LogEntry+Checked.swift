// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

extension LogEntry {
    /// The entry as it is appended: its event's attributes fitted to the CloudEvents rules and
    /// ``SourceAttributeLimits`` (record values never get a record refused), then checked, and its
    /// OCSF view enriched when an enricher is given.
    ///
    /// - Throws: ``SourceError`` only if the fitted event still breaks a CloudEvents rule, which
    ///   would be a bug in a normaliser.
    public func checkedAndEnriched(by enricher: (any OCSFEnricher)?) throws(SourceError) -> LogEntry {
        var entry = self
        entry.event = AttributeFitting.event(event)
        do {
            try entry.event.validateAttributes()
        } catch {
            throw SourceError(path: "$", message: "the record gives an invalid CloudEvent: \(error)")
        }
        guard let enricher, var view = entry.ocsf else {
            return entry
        }
        entry.ocsf = nil
        enricher.enrich(&view)
        entry.ocsf = view
        return entry
    }
}
