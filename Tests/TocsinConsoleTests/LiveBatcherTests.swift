// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import TocsinConsole

struct LiveBatcherTests {
    struct Step: Sendable {
        /// Rows added before the flush attempt.
        let add: ClosedRange<Int>?
        /// Milliseconds at the flush attempt.
        let at: Int64
        /// The rows of the batch, or `nil` for no batch.
        let rows: [Int]?
        let skipped: Int
    }

    @Test("batches go at most once an interval, hold the newest rows and count the rest")
    func table() {
        var batcher = LiveBatcher<Int>(intervalMilliseconds: 500, maximumRows: 3)
        let steps: [Step] = [
            Step(add: nil, at: 0, rows: nil, skipped: 0),
            Step(add: 1...2, at: 0, rows: [1, 2], skipped: 0),
            Step(add: 3...3, at: 100, rows: nil, skipped: 0),
            Step(add: 4...10, at: 499, rows: nil, skipped: 0),
            Step(add: nil, at: 500, rows: [8, 9, 10], skipped: 5),
            Step(add: nil, at: 2000, rows: nil, skipped: 0),
            Step(add: 11...11, at: 2000, rows: [11], skipped: 0),
        ]
        for (index, step) in steps.enumerated() {
            if let add = step.add {
                batcher.add(add)
            }
            let batch = batcher.flush(now: step.at)
            #expect(batch?.rows == step.rows, "step \(index)")
            #expect((batch?.skipped ?? 0) == step.skipped, "step \(index)")
        }
    }

    @Test("the next flush is due one interval after the last, and only when rows wait")
    func nextFlush() {
        var batcher = LiveBatcher<Int>(intervalMilliseconds: 250, maximumRows: 5)
        #expect(batcher.nextFlush() == nil)
        batcher.add([1])
        #expect(batcher.nextFlush() == Int64.min)
        _ = batcher.flush(now: 1000)
        #expect(batcher.nextFlush() == nil)
        batcher.add([2])
        #expect(batcher.nextFlush() == 1250)
    }

    @Test("at 1,000 events a second the page is sent at most the bounded number of rows")
    func boundedRate() {
        var batcher = LiveBatcher<Int>(intervalMilliseconds: 500, maximumRows: 20)
        var sent = 0
        for millisecond in 0..<10_000 {
            batcher.add([millisecond])
            sent += batcher.flush(now: Int64(millisecond))?.rows.count ?? 0
        }
        #expect(batcher.maximumRowsPerSecond == 40)
        #expect(sent <= 40 * 10 + 20)
        #expect(sent >= 40 * 9)
    }
}
