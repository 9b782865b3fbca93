// SPDX-License-Identifier: Apache-2.0

/// The Thompson simulation of a ``RegexProgram``: the set of live NFA states advances over the
/// text one scalar at a time, each state entered at most once per position.
///
/// Work is therefore at most `instructions × (positions + 1)` state visits, whatever the pattern
/// (`(a+)+$` included); memory is five integers per instruction, taken from the stack when it fits.
/// Only a yes/no answer is computed, so there are no capture slots and thread priority does not
/// matter: the first thread to reach `match` ends the search.
struct PikeVM {
    /// The answer and the work it took.
    struct Outcome: Sendable, Hashable {
        /// Whether some substring matched.
        var matched: Bool
        /// NFA states entered, summed over the positions visited.
        var steps: Int
        /// Text positions at which the state set was computed (at most bytes + 1).
        var positions: Int
    }

    let program: RegexProgram

    /// Searches `text` for a match anywhere.
    func run(_ text: UnsafeBufferPointer<UInt8>) -> Outcome {
        let count = program.instructions.count
        return program.instructions.withUnsafeBufferPointer { code in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 5 * count) { memory in
                memory.initialize(repeating: 0)
                var search = Search(code: code, memory: memory, sets: program.sets)
                return search.run(text, program: program)
            }
        }
    }

    private struct Search {
        let code: UnsafeBufferPointer<RegexInstruction>
        let sets: [CompiledScalarSet]
        /// Per instruction: the generation in which it joined the current closure.
        let closureMark: UnsafeMutableBufferPointer<Int>
        /// Per instruction: the generation in which it joined the pending list.
        let pendingMark: UnsafeMutableBufferPointer<Int>
        /// Consuming instructions alive at the current position.
        let closure: UnsafeMutableBufferPointer<Int>
        /// Instructions reached by consuming the current scalar, to be followed at the next position.
        let pending: UnsafeMutableBufferPointer<Int>
        let stack: UnsafeMutableBufferPointer<Int>
        var closureCount = 0
        var pendingCount = 0
        var generation = 0
        var steps = 0

        init(
            code: UnsafeBufferPointer<RegexInstruction>,
            memory: UnsafeMutableBufferPointer<Int>,
            sets: [CompiledScalarSet]
        ) {
            let count = code.count
            self.code = code
            self.sets = sets
            closureMark = UnsafeMutableBufferPointer(rebasing: memory[0..<count])
            pendingMark = UnsafeMutableBufferPointer(rebasing: memory[count..<(2 * count)])
            closure = UnsafeMutableBufferPointer(rebasing: memory[(2 * count)..<(3 * count)])
            pending = UnsafeMutableBufferPointer(rebasing: memory[(3 * count)..<(4 * count)])
            stack = UnsafeMutableBufferPointer(rebasing: memory[(4 * count)..<(5 * count)])
        }

        mutating func run(_ text: UnsafeBufferPointer<UInt8>, program: RegexProgram) -> Outcome {
            let end = text.count
            var position = 0
            var positions = 0
            while true {
                if pendingCount == 0, !program.anchoredAtStart, let firstBytes = program.firstBytes {
                    // Nothing is alive: jump to the next byte that can start a match. Such bytes are
                    // never continuation bytes, so the jump lands on a scalar boundary; the pattern
                    // is not nullable, so no match starts at the end.
                    while position < end, !firstBytes[Int(text[position])] {
                        position += 1
                    }
                    if position >= end {
                        return Outcome(matched: false, steps: steps, positions: positions)
                    }
                }
                generation += 1
                positions += 1
                let context = UTF8Scalars.context(
                    previous: position > 0 ? Int(text[position - 1]) : -1,
                    next: position < end ? Int(text[position]) : -1
                )
                closureCount = 0
                for index in 0..<pendingCount where follow(pending[index], context: context) {
                    return Outcome(matched: true, steps: steps, positions: positions)
                }
                if !program.anchoredAtStart || position == 0, follow(0, context: context) {
                    return Outcome(matched: true, steps: steps, positions: positions)
                }
                pendingCount = 0
                if position >= end || (closureCount == 0 && program.anchoredAtStart) {
                    return Outcome(matched: false, steps: steps, positions: positions)
                }
                let (scalar, length) = UTF8Scalars.decode(text, at: position)
                for index in 0..<closureCount {
                    let instruction = closure[index]
                    if code[instruction].consumes(scalar, sets: sets), pendingMark[instruction + 1] != generation {
                        pendingMark[instruction + 1] = generation
                        pending[pendingCount] = instruction + 1
                        pendingCount += 1
                    }
                }
                position += length
            }
        }

        /// Adds the closure of `start` (everything reachable without consuming) to the current
        /// list; `true` when it reaches `match`.
        private mutating func follow(_ start: Int, context: UInt8) -> Bool {
            guard closureMark[start] != generation else {
                return false
            }
            closureMark[start] = generation
            stack[0] = start
            var top = 1
            while top > 0 {
                top -= 1
                let instruction = stack[top]
                steps += 1
                switch code[instruction] {
                case .jump(let target):
                    push(target, &top)
                case .split(let first, let second):
                    push(second, &top)
                    push(first, &top)
                case .assert(let assertion):
                    if context & assertion.bit != 0 {
                        push(instruction + 1, &top)
                    }
                case .match:
                    return true
                case .scalar, .set, .any, .anyButNewline:
                    closure[closureCount] = instruction
                    closureCount += 1
                }
            }
            return false
        }

        @inline(__always)
        private func push(_ instruction: Int, _ top: inout Int) {
            if closureMark[instruction] != generation {
                closureMark[instruction] = generation
                stack[top] = instruction
                top += 1
            }
        }
    }
}
