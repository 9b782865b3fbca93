// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import TocsinSources

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(CDispatch)
import CDispatch
#endif

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
            let bytes = try map(path)
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

/// Maps the file at `path` read-only; the mapping lives as long as the returned bytes.
private func map(_ path: String) throws -> MaxMindBytes {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        throw GeoIPDatabaseError(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))")
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size > 0 else {
        throw GeoIPDatabaseError(path: path, reason: "cannot be read (not a regular, non-empty file)")
    }
    let size = Int(status.st_size)
    guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
        throw GeoIPDatabaseError(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))")
    }
    nonisolated(unsafe) let mapped = address
    return MaxMindBytes(unsafeBuffer: UnsafeRawBufferPointer(start: address, count: size)) {
        munmap(mapped, size)
    }
}
