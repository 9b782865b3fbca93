// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import TocsinServer

/// A JWKS served by an identity provider (its `jwks_uri`), fetched with AsyncHTTPClient.
struct JWKSEndpoint: JWKSFetching {
    /// The URL (https, or http on a loopback host for development).
    let url: String
    /// How long one fetch may take.
    var timeout: TimeAmount = .seconds(10)

    var location: String {
        url
    }

    func fetch() async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/jwk-set+json, application/json")
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        guard response.status == .ok else {
            throw ServerSetupError(
                code: .jwks,
                message:
                    "The JWKS URL \(url) answered \(response.status.code); use the jwks_uri of the provider's /.well-known/openid-configuration."
            )
        }
        let body = try await response.body.collect(upTo: 1024 * 1024)
        return Array(body.readableBytesView)
    }
}
