// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import TocsinStore

/// `tocsin backup`: an online backup of the data directory.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy a consistent snapshot of the data directory, safe while the server runs.",
        discussion: """
            Copies the database with SQLite's online backup API: the copy holds every event
            acknowledged before the backup began, and the server keeps ingesting meanwhile. Beside it
            go node.pub (to verify the copy with 'tocsin audit verify --data-dir DIR') and, unless
            --without-secrets, the secret keys node.key, definitions.key, fingerprint.key,
            admin.key and the erasure keys erasure.key and subject-keys.sqlite (mode 0600). Keep a backup holding secrets as carefully as the data directory
            itself, or back up without them and keep the keys in a secret store.
            Restore: stop the server, move the backup's files into an empty data directory (mode
            0700, owned by the server's user), and start it. See docs/operations.md.
            """
    )

    @Option(name: .customLong("data-dir"), help: "Data directory (env TOCSIN_DATA_DIR; default ./tocsin-data).")
    var dataDirectory: String?

    @Option(
        name: .customLong("to"),
        help: ArgumentHelp("A new or empty directory to write the backup into (created 0700).", valueName: "dir")
    )
    var destination: String

    @Flag(help: "Copy only the database and node.pub; keep the secret keys out of the backup.")
    var withoutSecrets = false

    func run() throws {
        let directory = dataDirectory ?? Environment.value("TOCSIN_DATA_DIR") ?? "./tocsin-data"
        let report: DataDirectoryBackup.Report
        do {
            report = try DataDirectoryBackup.run(from: directory, to: destination, includesSecrets: !withoutSecrets)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        print(
            "OK: \(report.records) records (up to sequence \(report.lastSequence)) and "
                + "\(report.keyFiles.joined(separator: ", ")) copied to \(destination)."
        )
        if withoutSecrets {
            print("The secret keys were left out: a restore needs node.key, definitions.key and fingerprint.key.")
        }
    }
}
