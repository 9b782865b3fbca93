// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinConfig
import TocsinRuntime
import TocsinStore

/// `serve --archive-retention` and `--archive-dir`: the daily archive run (docs/archives.md).
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
            "Where the daily run writes archive files (env TOCSIN_ARCHIVE_DIR; default <data-dir>/archives).",
            valueName: "dir"
        )
    )
    var archiveDirectory: String?

    /// Reads the retention file that won (flag, environment or file) into the configuration.
    ///
    /// - Throws: `ValidationError` when the file cannot be read, or with every located problem of
    ///   its contents.
    func apply(to configuration: inout RuntimeConfiguration, settings: ServeSettings) throws {
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
            configuration.archiving = ArchiveSchedule(policy: policy, directory: directory)
        } catch {
            throw ValidationError("the retention file has problems:\n\(error)")
        }
    }
}
