// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Where a JWKS comes from: a file, or an identity provider's URL (the runtime's fetcher).
public protocol JWKSFetching: Sendable {
    /// The file path or URL, for messages and logs (never a secret).
    var location: String { get }
    /// Reads the current JWKS document.
    ///
    /// - Throws: When it cannot be read; the message should say how to fix it.
    func fetch() async throws -> [UInt8]
}

/// A JWKS in a local file, read again on every refresh (rotate keys by replacing the file).
public struct JWKSFile: JWKSFetching {
    /// The file's path.
    public let path: String

    /// Creates the source for the file at `path`.
    public init(path: String) {
        self.path = path
    }

    /// The file's path.
    public var location: String {
        path
    }

    /// Reads the file.
    ///
    /// - Throws: ``ServerSetupError`` `.jwks` when it is missing, unreadable or over 1 MiB.
    public func fetch() async throws -> [UInt8] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ServerSetupError(
                code: .jwks,
                message: "Cannot read the JWKS file \(path): check the path and that tocsin may read it."
            )
        }
        guard data.count <= JWKSKeySet.maxBytes else {
            throw ServerSetupError(
                code: .jwks,
                message: "The JWKS file \(path) is over 1 MiB; it should hold public keys only."
            )
        }
        return Array(data)
    }
}
