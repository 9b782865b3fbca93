// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Counts the live event streams of each identity, so one identity cannot hold them all.
public final class StreamSlots: Sendable {
    /// A held slot; released when the last reference to it goes away (the stream's body ends or
    /// the response is dropped without being written).
    public final class Slot: Sendable {
        private let release: @Sendable () -> Void

        init(release: @escaping @Sendable () -> Void) {
            self.release = release
        }

        deinit {
            release()
        }
    }

    /// The most streams one identity may hold at once.
    public let maximumPerIdentity: Int
    private let open = Mutex<[String: Int]>([:])

    /// Creates the counter with a per-identity maximum.
    public init(maximumPerIdentity: Int) {
        self.maximumPerIdentity = maximumPerIdentity
    }

    /// A slot for `identity`, or `nil` when it already holds the maximum.
    public func acquire(_ identity: String) -> Slot? {
        let granted = open.withLock { open in
            guard open[identity, default: 0] < maximumPerIdentity else {
                return false
            }
            open[identity, default: 0] += 1
            return true
        }
        guard granted else {
            return nil
        }
        return Slot { [weak self] in
            self?.open.withLock { open in
                open[identity, default: 1] -= 1
                if open[identity] == 0 {
                    open[identity] = nil
                }
            }
        }
    }
}
