// SPDX-License-Identifier: Apache-2.0

import TocsinCore

extension ClusterChainer {
    /// Handles one input at `now` (milliseconds since the epoch) and returns what to do, in order.
    public mutating func handle(_ input: Input, now: Int64) -> [Decision] {
        switch input {
        case .leading:
            guard !isShuttingDown, phase != .stopped else {
                return []
            }
            phase = .readingHead
            return [.readHead]
        case .notLeading:
            return stopLeading()
        case .headRead(let head):
            return headRead(head, now: now)
        case .chainHashesRead(let hashes):
            guard case .checkingWitness(let head) = phase else {
                return []
            }
            return witnessChecked(hashes, head: head, now: now)
        case .fetched(let messages):
            guard phase == .fetching else {
                return []
            }
            return link(messages, now: now)
        case .appended(let storeSequence):
            guard case .appending(let record, let announcement) = phase else {
                return []
            }
            return commit(record, storeSequence: storeSequence, announcement: announcement) + next(now: now)
        case .appendConflict:
            guard case .appending(let record, let announcement) = phase else {
                return []
            }
            phase = .recheckingHead(record, announcement: announcement)
            return [.readHead]
        case .failed:
            failed(now: now)
            return []
        case .tick:
            return tick(now: now)
        case .shutdown:
            return shutDown(now: now)
        }
    }

    private mutating func stopLeading() -> [Decision] {
        switch phase {
        case .halted, .stopped:
            return []
        case .idle, .readingHead, .checkingWitness, .recheckingHead, .fetching, .appending, .waiting:
            guard isShuttingDown else {
                phase = .idle
                return []
            }
            phase = .stopped
            return [.stopped]
        }
    }

    private mutating func headRead(_ head: ChainHead?, now: Int64) -> [Decision] {
        switch phase {
        case .readingHead:
            guard isWitnessChecked else {
                return checkWitness(against: head)
            }
            resume(from: head, now: now)
            return next(now: now)
        case .recheckingHead(let pending, let announcement):
            if let head, head.record == pending {
                // Our own write was stored although its answer said otherwise (a retry after a
                // lost answer): the record is durable exactly as we linked it.
                return commit(pending, storeSequence: head.storeSequence, announcement: announcement) + next(now: now)
            }
            let headTip = head.map { ($0.record.lastSequence, $0.record.lastHash) } ?? (0, HashChain.genesis)
            guard headTip == (position.sequence, position.hash) else {
                phase = .idle
                return [.stepDown]
            }
            // Nobody moved the chain on (the store's last sequence moved for another reason):
            // start again from the head as it is.
            resume(from: head, now: now)
            return next(now: now)
        case .idle, .checkingWitness, .fetching, .appending, .waiting, .halted, .stopped:
            return []
        }
    }

    mutating func resume(from head: ChainHead?, now: Int64) {
        if let head {
            let record = head.record
            position = Position(
                sequence: record.lastSequence,
                hash: record.lastHash,
                storeSequence: head.storeSequence,
                checkpointSequence: record.lastCheckpointSequence,
                checkpointMilliseconds: record.lastCheckpointMilliseconds
            )
        } else {
            position = Position(hash: HashChain.genesis)
        }
        let since = position.checkpointMilliseconds == 0 ? now : position.checkpointMilliseconds
        position.checkpointDueAt = since + configuration.checkpointIntervalMilliseconds
    }

    /// Links the messages that continue the chain into one record and asks for it to be written.
    private mutating func link(_ messages: [ChainMessage], now: Int64) -> [Decision] {
        guard !isShuttingDown else {
            return finish(now: now)
        }
        let fresh = messages.drop { $0.sequence <= position.sequence }.prefix(configuration.maxMessagesPerRecord)
        guard !fresh.isEmpty else {
            phase = .waiting(untilMilliseconds: now + configuration.idleMilliseconds, then: .fetch)
            return checkpointIfDue(now: now)
        }
        var running = position.hash
        var hashes: [[UInt8]] = []
        hashes.reserveCapacity(fresh.count)
        var announcement = position.announcementSequence
        var expected = position.sequence + 1
        for message in fresh {
            guard message.sequence == expected else {
                let halt = Halt.gap(expected: expected, found: message.sequence)
                phase = .halted(halt)
                return [.halt(halt)]
            }
            running = HashChain.link(previous: running, digest: message.digest)
            hashes.append(running)
            if message.isCheckpointAnnouncement, message.sequence == position.checkpointSequence + 1 {
                announcement = message.sequence
            }
            expected += 1
        }
        let last = expected - 1
        let isUnchecked = last > position.checkpointSequence && last != announcement
        let isDue =
            last - position.checkpointSequence >= configuration.checkpointEveryRecords
            || now >= position.checkpointDueAt
        let checkpoint =
            isUnchecked && isDue ? ChainCheckpoint(sequence: last, hash: running, signedMilliseconds: now) : nil
        let record = ChainRecord(
            firstSequence: position.sequence + 1,
            previousHash: position.hash,
            hashes: hashes,
            checkpoint: checkpoint,
            lastCheckpointSequence: checkpoint?.sequence ?? position.checkpointSequence,
            lastCheckpointMilliseconds: checkpoint?.signedMilliseconds ?? position.checkpointMilliseconds
        )
        return append(record, announcement: announcement)
    }

    private mutating func append(_ record: ChainRecord, announcement: Int64) -> [Decision] {
        phase = .appending(record, announcement: announcement)
        return [.append(record, expectedStoreSequence: position.storeSequence)]
    }

    /// Moves the durable tip to the end of `record`, stored at `storeSequence`.
    private mutating func commit(_ record: ChainRecord, storeSequence: UInt64, announcement: Int64) -> [Decision] {
        position.sequence = record.lastSequence
        position.hash = record.lastHash
        position.storeSequence = storeSequence
        guard let checkpoint = record.checkpoint else {
            position.announcementSequence = announcement
            return []
        }
        position.checkpointSequence = checkpoint.sequence
        position.checkpointMilliseconds = checkpoint.signedMilliseconds
        position.checkpointDueAt = checkpoint.signedMilliseconds + configuration.checkpointIntervalMilliseconds
        position.announcementSequence = -1
        return [.announce(checkpoint)]
    }

    /// After a durable step: fetch more, or finish a shutdown.
    mutating func next(now: Int64) -> [Decision] {
        guard !isShuttingDown else {
            return finish(now: now)
        }
        phase = .fetching
        return [.fetch(afterSequence: position.sequence, limit: configuration.maxMessagesPerRecord)]
    }

    /// A checkpoint-only record when the interval has passed over unsigned records.
    private mutating func checkpointIfDue(now: Int64) -> [Decision] {
        guard position.hasUncheckpointedRecords, now >= position.checkpointDueAt else {
            return []
        }
        return append(checkpointOnlyRecord(now: now), announcement: -1)
    }

    private func checkpointOnlyRecord(now: Int64) -> ChainRecord {
        let checkpoint = ChainCheckpoint(sequence: position.sequence, hash: position.hash, signedMilliseconds: now)
        return ChainRecord(
            firstSequence: position.sequence + 1,
            previousHash: position.hash,
            hashes: [],
            checkpoint: checkpoint,
            lastCheckpointSequence: checkpoint.sequence,
            lastCheckpointMilliseconds: now
        )
    }

    /// Signs a final checkpoint if records are unsigned, else reports that the chainer stopped.
    private mutating func finish(now: Int64) -> [Decision] {
        guard position.hasUncheckpointedRecords else {
            phase = .stopped
            return [.stopped]
        }
        return append(checkpointOnlyRecord(now: now), announcement: -1)
    }

    private mutating func failed(now: Int64) {
        let retryAt = now + configuration.retryMilliseconds
        switch phase {
        case .readingHead, .checkingWitness:
            phase = .waiting(untilMilliseconds: retryAt, then: .readHead)
        case .recheckingHead(let record, let announcement):
            phase = .waiting(untilMilliseconds: retryAt, then: .recheckHead(record, announcement: announcement))
        case .fetching:
            phase = .waiting(untilMilliseconds: retryAt, then: .fetch)
        case .appending(let record, let announcement):
            // The same record at the same expected sequence: if the first write was stored, the
            // retry is a duplicate or a conflict, and a conflict re-reads the head.
            phase = .waiting(untilMilliseconds: retryAt, then: .append(record, announcement: announcement))
        case .idle, .waiting, .halted, .stopped:
            break
        }
    }

    private mutating func tick(now: Int64) -> [Decision] {
        guard case .waiting(let until, let then) = phase else {
            return []
        }
        if then == .fetch, !isShuttingDown, position.hasUncheckpointedRecords, now >= position.checkpointDueAt {
            return checkpointIfDue(now: now)
        }
        guard now >= until else {
            return []
        }
        switch then {
        case .readHead:
            phase = .readingHead
            return [.readHead]
        case .recheckHead(let record, let announcement):
            phase = .recheckingHead(record, announcement: announcement)
            return [.readHead]
        case .fetch:
            return next(now: now)
        case .append(let record, let announcement):
            return append(record, announcement: announcement)
        }
    }

    private mutating func shutDown(now: Int64) -> [Decision] {
        isShuttingDown = true
        switch phase {
        case .idle, .halted, .readingHead, .checkingWitness, .recheckingHead:
            phase = .stopped
            return [.stopped]
        case .waiting(_, .readHead), .waiting(_, .recheckHead):
            phase = .stopped
            return [.stopped]
        case .waiting(_, .fetch):
            return finish(now: now)
        case .fetching, .appending, .waiting(_, .append), .stopped:
            return []
        }
    }
}
