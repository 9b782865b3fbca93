// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import TocsinCore

extension Problem {
    /// Runs a read of the log, turning an archive that cannot be used into `503`
    /// `archive-unavailable`, naming the file (docs/archives.md).
    static func archived<Value>(_ read: () async throws -> Value) async throws -> Value {
        do {
            return try await read()
        } catch let error as ArchiveUnavailable {
            throw Problem(
                .serviceUnavailable,
                code: "archive-unavailable",
                title: "An archive file cannot be read",
                detail: error.message,
                extensions: [
                    .init(name: "archive", value: .string(error.archive)),
                    .init(name: "seq", value: .number(JSONNumber(error.sequence))),
                ]
            )
        }
    }
}
