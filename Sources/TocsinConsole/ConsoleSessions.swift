// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// The console's server-side session table: which browser session holds which API key, until when.
///
/// Pure: the caller passes the time and the random bytes, so every decision is a plain function
/// call. The table is bounded; when it is full, a new login evicts the session that expires first.
public struct ConsoleSessions: Sendable {
    /// Settings of the table.
    public struct Configuration: Sendable, Hashable {
        /// How long a session lives after its last use, in milliseconds (default 30 minutes).
        public var idleMilliseconds: Int64 = 30 * 60 * 1000
        /// How long a session lives at most after login, in milliseconds (default 12 hours).
        public var absoluteMilliseconds: Int64 = 12 * 60 * 60 * 1000
        /// The most sessions held at once (default 1,000).
        public var maximumSessions: Int = 1000

        /// Creates the defaults.
        public init() {}
    }

    /// One logged-in browser.
    public struct Session: Sendable, Hashable {
        /// The secret the cookie carries (64 hex digits).
        public var id: String
        /// The token every form of this session must carry (64 hex digits).
        public var csrfToken: String
        /// The API key the console presents on this session's behalf.
        public var apiKey: String
        /// The identity the key belongs to.
        public var identity: String
        /// What the identity may do, as the API decides it; used only to hide controls.
        public var permissions: Set<Permission>
        /// When the session was created (Unix milliseconds).
        public var createdMilliseconds: Int64
        /// When the session was last used (Unix milliseconds).
        public var lastUsedMilliseconds: Int64
    }

    /// What a lookup found.
    public enum Lookup: Sendable, Hashable {
        /// A live session, its last use moved to now.
        case valid(Session)
        /// No session has that id (never created, logged out or evicted).
        case unknown
        /// The session existed but expired; it is removed.
        case expired
    }

    /// The number of random bytes ``create(apiKey:identity:permissions:now:random:)`` takes.
    public static let randomByteCount = 64

    /// The settings in force.
    public let configuration: Configuration
    private var sessions: [String: Session] = [:]

    /// Creates an empty table.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// How many sessions are held.
    public var count: Int { sessions.count }

    /// Opens a session for a key the API accepted.
    ///
    /// - Parameters:
    ///   - apiKey: The key the user logged in with.
    ///   - identity: The identity the key belongs to.
    ///   - permissions: What that identity may do.
    ///   - now: Unix milliseconds now.
    ///   - random: ``randomByteCount`` bytes from a cryptographic generator: the first half makes the
    ///     session id, the second half the CSRF token.
    /// - Returns: The new session.
    /// - Precondition: `random` holds exactly ``randomByteCount`` bytes.
    public mutating func create(
        apiKey: String,
        identity: String,
        permissions: Set<Permission>,
        now: Int64,
        random: [UInt8]
    ) -> Session {
        precondition(random.count == Self.randomByteCount, "a session needs \(Self.randomByteCount) random bytes")
        removeExpired(now: now)
        if sessions.count >= configuration.maximumSessions,
            let oldest = sessions.values.min(by: { expiry(of: $0) < expiry(of: $1) })
        {
            sessions[oldest.id] = nil
        }
        let session = Session(
            id: Hex.encode(Array(random.prefix(32))),
            csrfToken: Hex.encode(Array(random.suffix(32))),
            apiKey: apiKey,
            identity: identity,
            permissions: permissions,
            createdMilliseconds: now,
            lastUsedMilliseconds: now
        )
        sessions[session.id] = session
        return session
    }

    /// Finds the session a cookie names and marks it used.
    public mutating func lookup(id: String, now: Int64) -> Lookup {
        guard var session = sessions[id] else {
            return .unknown
        }
        guard now < expiry(of: session) else {
            sessions[id] = nil
            return .expired
        }
        session.lastUsedMilliseconds = max(session.lastUsedMilliseconds, now)
        sessions[id] = session
        return .valid(session)
    }

    /// Whether `id` names a live session, without counting this as a use (a live stream asks).
    public func contains(id: String, now: Int64) -> Bool {
        guard let session = sessions[id] else {
            return false
        }
        return now < expiry(of: session)
    }

    /// Ends a session (logout); a later lookup answers ``Lookup/unknown``.
    ///
    /// - Returns: Whether a session was removed.
    @discardableResult
    public mutating func remove(id: String) -> Bool {
        sessions.removeValue(forKey: id) != nil
    }

    /// Removes every session of `apiKey` (the key was refused: revoked or expired).
    public mutating func remove(apiKey: String) {
        sessions = sessions.filter { $0.value.apiKey != apiKey }
    }

    /// Drops every expired session.
    public mutating func removeExpired(now: Int64) {
        sessions = sessions.filter { now < expiry(of: $0.value) }
    }

    /// When `session` expires: after its idle time, and never later than its absolute lifetime.
    public func expiry(of session: Session) -> Int64 {
        min(
            session.lastUsedMilliseconds + configuration.idleMilliseconds,
            session.createdMilliseconds + configuration.absoluteMilliseconds
        )
    }
}
