// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinConfig
import TocsinRuntime
import TocsinStore

/// `serve --archive-retention`, `--archive-dir` and `--archive-interval-seconds`: the daily archive
/// run, and where `GET /v1/events` reads archived records (docs/archives.md).
struct ArchiveOptions: ParsableArguments {
    @Option(
        name: .customLong("archive-retention"),
        help: ArgumentHelp(
            "Archive expired ranges of the log once a day by this retention file (env TOCSIN_ARCHIVE_RETENTION; docs/archives.md).",
            valueName: "file"
        )
    )
    var archiveRetention: String?

    @Option(
        name: .customLong("archive-dir"),
        help: ArgumentHelp(
            "Where the daily run writes archive files and queries read them (env TOCSIN_ARCHIVE_DIR; default <data-dir>/archives).",
            valueName: "dir"
        )
    )
    var archiveDirectory: String?

    @Option(
        name: .customLong("archive-interval-seconds"),
        help: ArgumentHelp(
            "Seconds between two archive runs (env TOCSIN_ARCHIVE_INTERVAL_SECONDS; default 86400, at least 1).",
            valueName: "seconds"
        )
    )
    var archiveIntervalSeconds: Int?

    /// The shortest time between two runs: a run is one read transaction when nothing is due.
    static let minimumIntervalSeconds: Int64 = 1

    /// Reads the retention file that won (flag, environment or file) into the configuration.
    ///
    /// - Throws: `ValidationError` when the file cannot be read, or with every located problem of
    ///   its contents.
    func apply(to configuration: inout RuntimeConfiguration, settings: ServeSettings) throws {
        configuration.archiveDirectory = settings.text(.archiveDirectory, archiveDirectory)
        let interval = try settings.integer(.archiveIntervalSeconds, archiveIntervalSeconds) ?? 86_400
        guard interval >= Self.minimumIntervalSeconds else {
            throw ValidationError(
                "--archive-interval-seconds must be at least \(Self.minimumIntervalSeconds); the default is 86400 (a day)"
            )
        }
        guard let path = settings.text(.archiveRetention, archiveRetention) else {
            return
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError(
                "cannot read the retention file \(path); pass --archive-retention with a readable file"
            )
        }
        do {
            let policy = try RetentionFile.policy(text: text, file: path)
            let directory =
                settings.text(.archiveDirectory, archiveDirectory) ?? configuration.store.dataDirectory + "/archives"
            var schedule = ArchiveSchedule(policy: policy, directory: directory)
            schedule.interval = .seconds(interval)
            configuration.archiving = schedule
        } catch {
            throw ValidationError("the retention file has problems:\n\(error)")
        }
    }
}
