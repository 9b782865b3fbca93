// SPDX-License-Identifier: Apache-2.0

#if NATS
import TocsinCore

/// The queue of inputs a state-machine driver works through, one at a time, and the timer that
/// queues a tick at the machine's next wake.
///
/// Anyone may ``send(_:)``; only the driver's own task calls ``next()`` and ``wake(at:)``.
final class DriverInbox<Input: Sendable>: Sendable {
    private let stream: AsyncStream<Input>
    private let input: AsyncStream<Input>.Continuation
    private let clock: any WallClock
    private let tick: Input

    /// Creates an inbox whose timer queues `tick`, measured on `clock`.
    init(tick: Input, clock: any WallClock) {
        (stream, input) = AsyncStream.makeStream(of: Input.self)
        self.clock = clock
        self.tick = tick
    }

    /// Queues `value`.
    func send(_ value: Input) {
        input.yield(value)
    }

    /// The inputs in the order they were queued; the iteration ends when the task is cancelled.
    func makeIterator() -> AsyncStream<Input>.Iterator {
        stream.makeAsyncIterator()
    }

    /// Queues a tick at `milliseconds`, or now if that has passed.
    ///
    /// Cancel the returned task when the wake is no longer wanted. `nil` for no wake.
    func wake(at milliseconds: Int64?) -> Task<Void, Never>? {
        guard let milliseconds else {
            return nil
        }
        return Task { [clock, input, tick] in
            let deadline = WallInstant(millisecondsSinceEpoch: milliseconds)
            guard (try? await clock.sleep(until: deadline, tolerance: nil)) != nil else {
                return
            }
            input.yield(tick)
        }
    }
}
#endif
