// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import TocsinSources

/// Opens the configured MaxMind DB files for the GeoIP enricher.
enum GeoIPDatabases {
    /// The enricher over the files at `paths`, in order; `nil` when there are none.
    ///
    /// - Throws: ``GeoIPDatabaseError`` naming the file that cannot be read or is not a MaxMind DB.
    static func enricher(paths: [String], logger: Logger) throws -> GeoIPEnricher? {
        guard !paths.isEmpty else {
            return nil
        }
        var databases: [MaxMindDatabase] = []
        for path in paths {
            let bytes = try load(path)
            do {
                let database = try MaxMindDatabase(bytes: bytes)
                let built = Date(timeIntervalSince1970: TimeInterval(database.metadata.buildEpoch))
                logger.notice(
                    "GeoIP database loaded.",
                    metadata: [
                        "geoip.path": "\(path)", "geoip.type": "\(database.metadata.databaseType)",
                        "geoip.built": "\(built.formatted(.iso8601))",
                    ]
                )
                databases.append(database)
            } catch {
                throw GeoIPDatabaseError(path: path, reason: error.message)
            }
        }
        return GeoIPEnricher(databases: databases)
    }
}

/// A configured GeoIP database that cannot be used; the server does not start.
struct GeoIPDatabaseError: Error, CustomStringConvertible {
    var path: String
    var reason: String

    var description: String {
        "GeoIP database \(path): \(reason); --geoip-db takes a MaxMind DB file such as GeoLite2-City.mmdb"
    }
}

/// Reads the file at `path` into memory.
///
/// Not mapped: a mapping would turn an in-place overwrite of the file (`cp new.mmdb` over it while
/// the server runs) into a SIGBUS crash, where a copy keeps answering from the version it read.
private func load(_ path: String) throws -> MaxMindBytes {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw GeoIPDatabaseError(path: path, reason: "cannot be read (missing, unreadable or not a file)")
    }
    return MaxMindBytes(Array(data))
}
