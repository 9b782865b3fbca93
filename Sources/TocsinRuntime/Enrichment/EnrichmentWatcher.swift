// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinCore
import TocsinSources

/// Reloads the threat-intelligence lists and the identity directory when their files change, and
/// records each load in the log.
///
/// Files are checked every two seconds (size, modification time and inode, so a file replaced by a
/// rename is seen too). A changed file that cannot be used leaves its previous version in force: the
/// problem is logged and recorded as a `tocsin.enrichment.rejected` event, once per change. Every
/// version put in force, the first included, is recorded as a `tocsin.enrichment.loaded` event.
struct EnrichmentWatcher: Service {
    /// The files as read at start.
    let initial: EnrichmentFiles
    let state: EnrichmentState
    let log: any EventLog
    let logger: Logger
    var pollInterval: Duration = .seconds(2)

    func run() async throws {
        for loaded in initial.lists {
            await recordLoaded(path: loaded.path, kind: .threatIntel(loaded.content))
        }
        if let directory = initial.directory {
            await recordLoaded(path: directory.path, kind: .identityDirectory(directory.content))
        }
        let watcher = self
        await cancelWhenGracefulShutdown {
            var files = watcher.initial
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: watcher.pollInterval)
                } catch {
                    return
                }
                if await watcher.reloadChanged(&files) {
                    watcher.state.install(files.enricher)
                }
            }
        }
    }

    /// Reads the files whose signature changed; returns whether a new version went into force.
    func reloadChanged(_ files: inout EnrichmentFiles) async -> Bool {
        var changed = false
        for index in files.lists.indices {
            let path = files.lists[index].path
            let signature = EnrichmentFiles.signature(of: path)
            guard signature != files.lists[index].signature else {
                continue
            }
            files.lists[index].signature = signature
            do throws(EnrichmentError) {
                var candidate = files
                candidate.lists[index].content = try EnrichmentFiles.readList(at: path)
                try candidate.checkTotal(changed: path)
                files = candidate
                changed = true
                await recordLoaded(path: path, kind: .threatIntel(candidate.lists[index].content))
            } catch {
                await recordRejected(path: path, kind: "threat-intel", error: error)
            }
        }
        if let directory = files.directory {
            let signature = EnrichmentFiles.signature(of: directory.path)
            if signature != directory.signature {
                files.directory?.signature = signature
                do throws(EnrichmentError) {
                    let content = try EnrichmentFiles.readDirectory(at: directory.path)
                    files.directory?.content = content
                    changed = true
                    await recordLoaded(path: directory.path, kind: .identityDirectory(content))
                } catch {
                    await recordRejected(path: directory.path, kind: "identity-directory", error: error)
                }
            }
        }
        return changed
    }

    /// What was loaded.
    enum Content {
        case threatIntel(ThreatIntelList)
        case identityDirectory(IdentityDirectory)
    }

    private func recordLoaded(path: String, kind: Content) async {
        let kindName: String
        let details: [(String, JSONValue)]
        switch kind {
        case .threatIntel(let list):
            kindName = "threat-intel"
            details = [("list", .string(list.name)), ("entries", InternalEvents.number(Int64(list.entries.count)))]
        case .identityDirectory(let directory):
            kindName = "identity-directory"
            details = [("entries", InternalEvents.number(Int64(directory.count)))]
        }
        logger.notice(
            "Loaded an enrichment file.",
            metadata: ["enrichment.file": "\(path)", "enrichment.kind": "\(kindName)"]
        )
        let data: [(String, JSONValue)] = [("file", .string(path)), ("kind", .string(kindName))] + details
        await append(InternalEvents.make(type: "tocsin.enrichment.loaded", source: "/tocsin/enrichment", data: data))
    }

    private func recordRejected(path: String, kind: String, error: EnrichmentError) async {
        logger.error(
            "An enrichment file cannot be used; its previous version stays in force.",
            metadata: ["enrichment.file": "\(path)", "enrichment.kind": "\(kind)", "problems": "\(error)"]
        )
        await append(
            InternalEvents.make(
                type: "tocsin.enrichment.rejected",
                source: "/tocsin/enrichment",
                data: [
                    ("file", .string(path)), ("kind", .string(kind)), ("code", .string(error.code.description)),
                    ("problems", .array(error.diagnostics.map { .string($0.description) })),
                ]
            )
        )
    }

    private func append(_ event: CloudEvent) async {
        do {
            _ = try await log.append([event])
        } catch {
            logger.warning(
                "Could not record an enrichment load in the log.",
                metadata: ["event.type": "\(event.type)", "error": "\(error)"]
            )
        }
    }
}
