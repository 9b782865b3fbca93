// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// The DFA states of one regex, built from its NFA on demand and shared by every search with it.
///
/// A search takes the cache only if no other search holds it (`withLockIfAvailable`); otherwise,
/// or when the cache overflows, it runs the NFA simulation instead, so the DFA changes speed,
/// never answers, and no search waits for another.
final class LazyDFACache: Sendable {
    private let dfa: Mutex<LazyDFA>

    init(program: RegexProgram) {
        dfa = Mutex(LazyDFA(program: program))
    }

    /// The answer, or `nil` when the cache is busy or overflowed (it is then emptied).
    func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool? {
        let answer: Bool?? = dfa.withLockIfAvailable { dfa in
            if let answer = dfa.search(text) {
                return answer
            }
            dfa = LazyDFA(program: dfa.program)
            return nil
        }
        return answer ?? nil
    }
}

/// A DFA built lazily by subset construction over a ``RegexProgram``.
///
/// A state is the set of NFA instructions waiting at a position (before following empty moves)
/// plus the class of the scalar before it (text start, `\n`, word, other), which is all the
/// assertions need. The transition on an ASCII byte is computed once, by one step of the NFA
/// simulation, and kept in a 128-entry row; a non-ASCII scalar is stepped each time. So a search
/// does at most the NFA's work and, once the states it meets exist, one table load per byte.
/// At most ``maxStates`` states are kept (64 KiB of rows per 128 states), holding at most
/// ``maxWaitingInstructions`` instruction numbers in all.
struct LazyDFA {
    /// The most states one regex keeps; past it the search falls back to the NFA.
    static let maxStates = 512
    /// The most waiting instructions kept over all states (256 KiB), for large programs.
    static let maxWaitingInstructions = 65_536

    private static let unknown: Int32 = -1
    private static let matched: Int32 = -2
    private static let dead: Int32 = -3

    private struct Key: Hashable {
        var waiting: [Int32]
        var previous: UInt8
    }

    /// Previous-scalar classes.
    private static let textStart: UInt8 = 0
    private static let newline: UInt8 = 1
    private static let word: UInt8 = 2
    private static let other: UInt8 = 3

    let program: RegexProgram
    private let usesContext: Bool
    private var keys: [Key] = []
    private var waitingInstructions = 0
    /// Per state: whether no instruction is waiting (then the search may skip ahead).
    private var isIdle: [Bool] = []
    private var index: [Key: Int32] = [:]
    private var table: [Int32] = []
    private var atEnd: [Int32] = []
    private var idle: [Int32] = [unknown, unknown, unknown, unknown]
    private var mark: [Int]
    private var generation = 0
    private var stack: [Int32] = []
    private var closure: [Int32] = []

    init(program: RegexProgram) {
        self.program = program
        usesContext = program.instructions.contains {
            if case .assert = $0 {
                return true
            }
            return false
        }
        mark = [Int](repeating: 0, count: program.instructions.count)
        _ = state(Key(waiting: [], previous: Self.textStart))
    }

    /// Whether some substring of `text` matches, or `nil` when the state limit was reached.
    mutating func search(_ text: UnsafeBufferPointer<UInt8>) -> Bool? {
        var current: Int32 = 0
        var position = 0
        let end = text.count
        let skip = program.anchoredAtStart ? nil : program.firstBytes
        while position < end {
            if let skip, isIdle[Int(current)] {
                // Nothing is alive: jump to a byte that can start a match (see PikeVM).
                var next = position
                while next < end, !skip[Int(text[next])] {
                    next += 1
                }
                if next >= end {
                    return false
                }
                if next > position {
                    position = next
                    guard let resumed = idleState(after: text[position - 1]) else {
                        return nil
                    }
                    current = resumed
                }
            }
            let walked = walk(text, from: current, at: position, stopAtIdle: skip != nil)
            let moved = walked.position > position
            (current, position) = walked
            guard position < end else {
                break
            }
            if moved, skip != nil, isIdle[Int(current)] {
                continue
            }
            let byte = text[position]
            var next: Int32
            if byte < 0x80 {
                let slot = Int(current) << 7 | Int(byte)
                next = table[slot]
                if next == Self.unknown {
                    guard let computed = transition(from: current, on: UInt32(byte)) else {
                        return nil
                    }
                    table[slot] = computed
                    next = computed
                }
                position += 1
            } else {
                let (scalar, length) = UTF8Scalars.decode(text, at: position)
                guard let computed = transition(from: current, on: scalar) else {
                    return nil
                }
                next = computed
                position += length
            }
            if next == Self.matched {
                return true
            }
            if next == Self.dead {
                return false
            }
            current = next
        }
        if atEnd[Int(current)] == Self.unknown {
            atEnd[Int(current)] = transition(from: current, on: nil) ?? Self.dead
        }
        return atEnd[Int(current)] == Self.matched
    }

    /// Follows transitions already in the table, as far as they go.
    ///
    /// It stops at a byte with no cached transition (or one to match or dead), a non-ASCII byte,
    /// the end, or (`stopAtIdle`) an idle state. This is the hot loop: one table load per byte.
    private func walk(
        _ text: UnsafeBufferPointer<UInt8>,
        from start: Int32,
        at position: Int,
        stopAtIdle: Bool
    ) -> (state: Int32, position: Int) {
        table.withUnsafeBufferPointer { rows in
            isIdle.withUnsafeBufferPointer { idle in
                var state = start
                var index = position
                while index < text.count {
                    let byte = text[index]
                    guard byte < 0x80 else {
                        break
                    }
                    let next = rows[Int(state) << 7 | Int(byte)]
                    guard next >= 0 else {
                        break
                    }
                    state = next
                    index += 1
                    if stopAtIdle, idle[Int(state)] {
                        break
                    }
                }
                return (state, index)
            }
        }
    }

    private mutating func idleState(after byte: UInt8) -> Int32? {
        let previous = scalarClass(UInt32(byte))
        if idle[Int(previous)] == Self.unknown {
            guard let created = state(Key(waiting: [], previous: previous)) else {
                return nil
            }
            idle[Int(previous)] = created
        }
        return idle[Int(previous)]
    }

    /// One NFA step: follow the empty moves of `source`'s instructions (and the start, when a
    /// match may start here) in the context before `scalar`, then consume `scalar` (`nil` = end).
    private mutating func transition(from source: Int32, on scalar: UInt32?) -> Int32? {
        let key = keys[Int(source)]
        let previousByte: Int
        switch key.previous {
        case Self.textStart: previousByte = -1
        case Self.newline: previousByte = 0x0A
        case Self.word: previousByte = 0x61
        default: previousByte = 0x20
        }
        let nextByte = scalar.map { $0 < 0x80 ? Int($0) : 0x80 } ?? -1
        let context = UTF8Scalars.context(previous: previousByte, next: nextByte)
        generation += 1
        closure.removeAll(keepingCapacity: true)
        for instruction in key.waiting where follow(Int(instruction), context: context) {
            return Self.matched
        }
        if !program.anchoredAtStart || key.previous == Self.textStart, follow(0, context: context) {
            return Self.matched
        }
        guard let scalar else {
            return Self.dead
        }
        var waiting: [Int32] = []
        for instruction in closure where program.instructions[Int(instruction)].consumes(scalar, sets: program.sets) {
            waiting.append(instruction + 1)
        }
        if waiting.isEmpty, program.anchoredAtStart {
            return Self.dead
        }
        waiting.sort()
        return state(Key(waiting: waiting, previous: scalarClass(scalar)))
    }

    private func scalarClass(_ scalar: UInt32) -> UInt8 {
        guard usesContext else {
            return Self.other
        }
        if scalar == 0x0A {
            return Self.newline
        }
        return scalar < 0x80 && UTF8Scalars.isWordByte(Int(scalar)) ? Self.word : Self.other
    }

    private mutating func state(_ key: Key) -> Int32? {
        if let known = index[key] {
            return known
        }
        guard keys.count < Self.maxStates, waitingInstructions + key.waiting.count <= Self.maxWaitingInstructions
        else {
            return nil
        }
        waitingInstructions += key.waiting.count
        let created = Int32(keys.count)
        keys.append(key)
        isIdle.append(key.waiting.isEmpty)
        index[key] = created
        table.append(contentsOf: repeatElement(Self.unknown, count: 128))
        atEnd.append(Self.unknown)
        return created
    }

    /// Adds the empty-move closure of `start` to `closure`; `true` when it reaches `match`.
    private mutating func follow(_ start: Int, context: UInt8) -> Bool {
        guard mark[start] != generation else {
            return false
        }
        mark[start] = generation
        stack.append(Int32(start))
        while let instruction = stack.popLast().map(Int.init) {
            switch program.instructions[instruction] {
            case .jump(let target):
                push(target)
            case .split(let first, let second):
                push(second)
                push(first)
            case .assert(let assertion):
                if context & assertion.bit != 0 {
                    push(instruction + 1)
                }
            case .match:
                stack.removeAll(keepingCapacity: true)
                return true
            case .scalar, .set, .any, .anyButNewline:
                closure.append(Int32(instruction))
            }
        }
        return false
    }

    private mutating func push(_ instruction: Int) {
        if mark[instruction] != generation {
            mark[instruction] = generation
            stack.append(Int32(instruction))
        }
    }
}
