// SPDX-License-Identifier: Apache-2.0

extension LeaseElection {
    /// Handles one input at `now` (this node's clock) and returns what to do, in order.
    public mutating func handle(_ input: Input, now: Int64) -> [Decision] {
        switch input {
        case .tick:
            return tick(now: now)
        case .observed(let entry):
            return observe(entry, now: now)
        case .written(let outcome):
            return written(outcome, now: now)
        case .readFailed:
            if pending == .read {
                pending = nil
                retryAt = now + configuration.retryMilliseconds
            }
            return []
        case .shutdown:
            return shutDown()
        }
    }

    private mutating func tick(now: Int64) -> [Decision] {
        switch role {
        case .stopped:
            return []
        case .leader(let revision, let expires):
            if now >= configuration.holdEnd(expiresMilliseconds: expires) {
                role = .follower
                knowledge = .entry(LeaseEntry(record: record(expiring: expires), revision: revision))
                return [.stepDown(.expiring)] + follow(now: now)
            }
            guard pending == nil, now >= lastWriteAt + configuration.renewEveryMilliseconds, now >= retryAt else {
                return []
            }
            let renewed = record(expiring: now + configuration.ttlMilliseconds)
            pending = .renew(renewed, requestedAt: now)
            return [.renew(renewed, expectedRevision: revision)]
        case .follower:
            return follow(now: now)
        }
    }

    /// A follower's next step: read what it does not know, create an absent key, take over an
    /// expired one (or its own), or stand by until the holder's expiry.
    private mutating func follow(now: Int64) -> [Decision] {
        guard pending == nil, now >= retryAt else {
            return []
        }
        switch knowledge {
        case .unknown:
            pending = .read
            return [.read]
        case .absent:
            let fresh = record(expiring: now + configuration.ttlMilliseconds)
            pending = .acquire(fresh, requestedAt: now)
            return [.acquire(fresh)]
        case .entry(let entry):
            // Rewriting this process's own record is safe at any time: its work has stopped, and
            // an update accepted at that revision means nobody else has written since.
            guard entry.record.holder == candidate || now >= entry.record.expiresMilliseconds else {
                return [.standBy(holder: entry.record.holder, untilMilliseconds: entry.record.expiresMilliseconds)]
            }
            let fresh = record(expiring: now + configuration.ttlMilliseconds)
            pending = .takeOver(fresh, requestedAt: now)
            return [.takeOver(fresh, expectedRevision: entry.revision)]
        }
    }

    private mutating func observe(_ entry: LeaseEntry?, now: Int64) -> [Decision] {
        if pending == .read {
            pending = nil
        }
        if case .entry(let known) = knowledge, let entry, entry.revision < known.revision {
            return []
        }
        switch role {
        case .stopped:
            return []
        case .follower:
            knowledge = entry.map(Knowledge.entry) ?? .absent
            return follow(now: now)
        case .leader(let revision, _):
            guard let entry else {
                role = .follower
                knowledge = .absent
                return [.stepDown(.lost)]
            }
            guard entry.revision > revision else {
                return []
            }
            knowledge = .entry(entry)
            if entry.record.holder == candidate {
                // A renewal of ours that was stored though its answer was lost or is still on its way.
                return lead(entry, now: now)
            }
            role = .follower
            return [.stepDown(.lost)]
        }
    }

    private mutating func written(_ outcome: LeaseWriteOutcome, now: Int64) -> [Decision] {
        guard let operation = pending else {
            return []
        }
        pending = nil
        switch (operation, outcome) {
        case (.read, _):
            // No write is outstanding: this answer is not for us; keep waiting for the read.
            pending = .read
            return []
        case (.release, _):
            role = .stopped
            return []
        case (.acquire(let record, let requestedAt), .succeeded(let revision)),
            (.renew(let record, let requestedAt), .succeeded(let revision)),
            (.takeOver(let record, let requestedAt), .succeeded(let revision)):
            let entry = LeaseEntry(record: record, revision: revision)
            knowledge = .entry(entry)
            guard role != .stopped else {
                return release(revision: revision)
            }
            lastWriteAt = requestedAt
            return lead(entry, now: now)
        case (_, .conflict):
            knowledge = .unknown
            guard case .leader = role else {
                return follow(now: now)
            }
            role = .follower
            return [.stepDown(.lost)] + follow(now: now)
        case (_, .failed):
            retryAt = now + configuration.retryMilliseconds
            if case .leader = role {
                return []
            }
            // The write may have been stored: read the key again before anything else.
            knowledge = .unknown
            return []
        }
    }

    /// Leads under `entry` (a record this process wrote) while its hold window lasts.
    private mutating func lead(_ entry: LeaseEntry, now: Int64) -> [Decision] {
        let end = configuration.holdEnd(expiresMilliseconds: entry.record.expiresMilliseconds)
        guard now < end else {
            let wasLeading = role != .follower
            role = .follower
            return wasLeading ? [.stepDown(.expiring)] : []
        }
        role = .leader(revision: entry.revision, expiresMilliseconds: entry.record.expiresMilliseconds)
        return [.lead(untilMilliseconds: end)]
    }

    private mutating func shutDown() -> [Decision] {
        switch role {
        case .stopped:
            return []
        case .follower:
            // A create or takeover still in flight is released when its answer comes.
            role = .stopped
            return []
        case .leader(let revision, _):
            role = .stopped
            return [.stepDown(.shutdown)] + release(revision: revision)
        }
    }

    private mutating func release(revision: UInt64) -> [Decision] {
        pending = .release
        return [.release(record(expiring: 0), expectedRevision: revision)]
    }

    private func record(expiring expires: Int64) -> LeaseRecord {
        LeaseRecord(holder: candidate, expiresMilliseconds: expires)
    }
}
