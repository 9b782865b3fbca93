// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinConfig
import TocsinCore
import TocsinStore

/// `tocsin archive`: move expired history out of the live log into verifiable archive files.
struct ArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Move expired ranges of the log into compressed, verifiable archive files, and read them.",
        discussion: """
            Retention is set per source and type pattern in a retention file (see 'archive run
            --help' and docs/archives.md). An archive file holds its records exactly as stored,
            the chain hash before its first record and the signed checkpoint over its last, so
            'tocsin audit verify --archives DIR' checks the archives and the live log as one chain.
            """,
        subcommands: [Run.self, List.self, Open.self]
    )

    /// `tocsin archive run`.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Archive the expired prefix of the log, then shrink the database.",
            discussion: """
                The chain is linear, so only a prefix of the log can leave it: the run archives
                from the first live record up to the last record before the first one that is not
                yet past its retention (or is kept forever), cut back to a signed checkpoint that
                a later checkpoint follows, and never past a record the router has not read or a
                pending or dead-lettered delivery still needs. The file is written under a
                temporary name, fsynced, renamed and verified before any record is deleted; then
                the database is vacuumed (pass --no-vacuum to skip that while the server runs:
                vacuuming blocks its writes meanwhile).

                Retention file (YAML):
                  default: 365d          # or forever (the default)
                  rules:                 # first match wins; * matches anything
                    - source: "aws.cloudtrail*"
                      type: "*"
                      keep: 90d

                Exits 0 when the run succeeded (whether or not anything was due), 1 when the
                retention file is invalid (every problem is printed with its line and column),
                2 when the data or archive directory cannot be used.
                """
        )

        @Option(name: .customLong("data-dir"), help: "Data directory (env TOCSIN_DATA_DIR; default ./tocsin-data).")
        var dataDirectory: String?

        @Option(
            name: .customLong("archive-dir"),
            help: ArgumentHelp("Where archive files go (default <data-dir>/archives).", valueName: "dir")
        )
        var archiveDirectory: String?

        @Option(help: ArgumentHelp("The retention file.", valueName: "file"))
        var retention: String

        @Flag(name: .customLong("no-vacuum"), help: "Do not vacuum the database after archiving.")
        var skipsVacuum = false

        @Option(help: "Output format: text or json.") var output: OutputFormat = .text

        func run() throws {
            let directory = dataDirectory ?? Environment.value("TOCSIN_DATA_DIR") ?? "./tocsin-data"
            let policy = try ArchiveCommand.readPolicy(retention)
            let report: Archiver.Report
            do {
                let archiver = try Archiver.open(
                    dataDirectory: directory,
                    archiveDirectory: archiveDirectory ?? directory + "/archives",
                    policy: policy
                )
                report = try archiver.run(nowMilliseconds: SystemWallClock().milliseconds, vacuums: !skipsVacuum)
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            if output == .json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
                return
            }
            guard let archive = report.archive else {
                print("Nothing to archive: \(report.reason ?? "nothing is due").")
                return
            }
            print(
                "OK: records \(report.firstSequence)-\(report.lastSequence) (\(report.records)) archived to \(archive) (\(report.archiveBytes) bytes)."
            )
            print("Database: \(report.databaseBytesBefore) bytes before, \(report.databaseBytesAfter) after.")
        }
    }

    /// `tocsin archive list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the archive files in a directory with their ranges, in chain order."
        )

        @Option(name: .customLong("data-dir"), help: "Data directory (env TOCSIN_DATA_DIR; default ./tocsin-data).")
        var dataDirectory: String?

        @Option(
            name: .customLong("archive-dir"),
            help: ArgumentHelp("The archive directory (default <data-dir>/archives).", valueName: "dir")
        )
        var archiveDirectory: String?

        func run() throws {
            let directory =
                archiveDirectory
                ?? (dataDirectory ?? Environment.value("TOCSIN_DATA_DIR") ?? "./tocsin-data") + "/archives"
            do {
                for file in try ArchiveFile.all(in: directory) {
                    let manifest = file.manifest
                    print(
                        "\(file.name)  records \(manifest.firstSequence)-\(manifest.lastSequence)  checkpoints \(manifest.checkpoints.count)"
                    )
                }
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        }
    }

    /// `tocsin archive open FILE`: the read-only path over archived history.
    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the events of an archive file, one JSON object per line, read-only.",
            discussion: """
                Prints each archived event as GET /v1/events/{seq} does (sequence, event, hash).
                Reading does not verify the file; run 'tocsin audit verify --archives DIR' for that.
                """
        )

        @Argument(help: "The archive file.") var file: String
        @Option(help: "Start after this sequence number.") var after: Int64 = 0
        @Option(help: "The most events to print.") var limit = Int.max

        func run() throws {
            do {
                let archive = try ArchiveFile(path: file)
                var cursor = after
                var printed = 0
                while printed < limit {
                    let page = try archive.events(after: cursor, limit: min(1000, limit - printed))
                    guard let last = page.last else {
                        return
                    }
                    for event in page {
                        print(JSONWriter().string(event.jsonValue))
                    }
                    printed += page.count
                    cursor = last.sequence
                }
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        }
    }

    /// Reads and validates the retention file, printing every problem.
    static func readPolicy(_ path: String) throws -> RetentionPolicy {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            printError("error: cannot read the retention file \(path); check the path")
            throw ExitCode(2)
        }
        do {
            return try RetentionFile.policy(text: text, file: path)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
