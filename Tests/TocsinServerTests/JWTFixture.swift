// SPDX-License-Identifier: Apache-2.0

import Logging
import Synchronization
import TocsinCore
import TocsinServer
import TocsinTesting

/// A JWKS held in memory that counts its fetches; with `holdFetches`, each fetch waits until the
/// test calls ``release()``.
final class InMemoryJWKS: JWKSFetching {
    private struct State {
        var document: [UInt8]
        var fetches = 0
        var held: [CheckedContinuation<Void, Never>] = []
        var holding: Bool
    }

    private let state: Mutex<State>
    private let (started, startedContinuation) = AsyncStream<Int>.makeStream()

    init(_ document: [UInt8], holdFetches: Bool = false) {
        state = Mutex(State(document: document, holding: holdFetches))
    }

    var location: String { "memory" }

    var fetches: Int { state.withLock { $0.fetches } }

    func replace(_ document: [UInt8]) { state.withLock { $0.document = document } }

    /// Yields the fetch count each time a fetch starts.
    var fetchStarts: AsyncStream<Int> { started }

    func fetch() async throws -> [UInt8] {
        let count = state.withLock { state in
            state.fetches += 1
            return state.fetches
        }
        startedContinuation.yield(count)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let hold = state.withLock { state in
                if state.holding {
                    state.held.append(continuation)
                }
                return state.holding
            }
            if !hold {
                continuation.resume()
            }
        }
        return state.withLock { $0.document }
    }

    /// Makes the next fetches wait for ``release()``.
    func holdNextFetches() { state.withLock { $0.holding = true } }

    /// Lets held fetches (and every later one) finish.
    func release() {
        let held = state.withLock { state in
            state.holding = false
            defer { state.held = [] }
            return state.held
        }
        for continuation in held {
            continuation.resume()
        }
    }
}

/// Keys, a verifier and token builders around one issuer and audience.
struct JWTFixture {
    static let issuer = "https://id.example.com/"
    static let audience = "tocsin"
    /// Unix milliseconds "now" of every test.
    static let now: Int64 = 1_800_000_000_000

    let rsa: TestSigningKey
    let ec: TestSigningKey
    let source: InMemoryJWKS
    let verifier: JWTVerifier

    init(
        includeAlgorithm: Bool = true,
        holdFetches: Bool = false,
        configure: (inout JWTConfiguration) -> Void = { _ in }
    ) async throws {
        rsa = try TestSigningKey.rsa(kid: "rsa-1")
        ec = TestSigningKey.es256(kid: "ec-1")
        source = InMemoryJWKS(try TestTokens.jwks([rsa, ec], includeAlgorithm: includeAlgorithm))
        var configuration = JWTConfiguration(issuer: Self.issuer, audience: Self.audience)
        configure(&configuration)
        verifier = try JWTVerifier(
            configuration: configuration,
            keys: source,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        try await verifier.load()
        if holdFetches {
            source.holdNextFetches()
        }
    }

    static func claims(
        subject: String = "alice",
        issuer: String = issuer,
        audience: String = audience,
        lifetime: Int64 = 300,
        issuedAt: Int64 = now / 1000,
        notBefore: Int64? = nil,
        roles: [String]? = ["publisher"],
        extra: [JSONObject.Member] = []
    ) -> JSONValue {
        TestTokens.claims(
            issuer: issuer,
            audience: audience,
            subject: subject,
            now: issuedAt,
            lifetime: lifetime,
            notBefore: notBefore,
            roles: roles,
            extra: extra
        )
    }
}
