// SPDX-License-Identifier: Apache-2.0

/// One instruction of the compiled NFA (Thompson construction).
enum RegexInstruction: Sendable, Hashable {
    /// Consume this scalar.
    case scalar(UInt32)
    /// Consume a scalar of `RegexProgram.sets[index]`.
    case set(Int)
    /// Consume any scalar.
    case any
    /// Consume any scalar but `\n`.
    case anyButNewline
    /// Continue at both targets.
    case split(Int, Int)
    /// Continue at the target.
    case jump(Int)
    /// Continue at the next instruction if the assertion holds here.
    case assert(RegexAssertion)
    /// A match.
    case match

    /// Whether the instruction consumes `scalar` (never for the instructions that consume nothing).
    @inline(__always)
    func consumes(_ scalar: UInt32, sets: [CompiledScalarSet]) -> Bool {
        switch self {
        case .scalar(let expected): return scalar == expected
        case .set(let index): return sets[index].contains(scalar)
        case .any: return true
        case .anyButNewline: return scalar != 0x0A
        case .split, .jump, .assert, .match: return false
        }
    }
}

/// A compiled pattern: the NFA, its sets, and what the searchers may use to skip ahead.
struct RegexProgram: Sendable {
    /// The instructions; execution starts at 0.
    let instructions: [RegexInstruction]
    /// The sets referenced by ``RegexInstruction/set(_:)``.
    let sets: [CompiledScalarSet]
    /// Whether every match starts at the start of the text.
    let anchoredAtStart: Bool
    /// The bytes a match can start with (indexed by byte), or `nil` when any byte could start one
    /// or the pattern can match the empty string.
    let firstBytes: [Bool]?
    /// A byte string every matching text contains (empty when none is known).
    let requiredLiteral: RequiredLiteral
    /// Whether the whole pattern is exactly ``requiredLiteral`` (no assertions, no alternatives, no folding).
    let isPlainLiteral: Bool

    /// Compiles `node`; its ``RegexNode/programSize`` must already have been checked.
    init(_ node: RegexNode) {
        var builder = Builder()
        builder.emit(node)
        builder.instructions.append(.match)
        instructions = builder.instructions
        sets = builder.sets
        anchoredAtStart = node.isAnchoredAtStart
        let analysis = LiteralAnalysis(node)
        requiredLiteral = analysis.required
        isPlainLiteral =
            Self.isLiteralOnly(node) && !analysis.required.folded && analysis.exact == analysis.required
            && !analysis.required.bytes.isEmpty
        firstBytes = node.isNullable ? nil : FirstBytes.of(node)
    }

    /// Whether the node is literal scalars only (no sets, assertions, alternatives or open repetitions).
    private static func isLiteralOnly(_ node: RegexNode) -> Bool {
        switch node {
        case .literal:
            return true
        case .concat(let items):
            return items.allSatisfy(isLiteralOnly)
        case .repetition(let body, let min, let max):
            return min == max && isLiteralOnly(body)
        case .empty, .set, .any, .assertion, .alternation:
            return false
        }
    }

    private struct Builder {
        var instructions: [RegexInstruction] = []
        var sets: [CompiledScalarSet] = []
        var setIndex: [ScalarSet: Int] = [:]

        mutating func emit(_ node: RegexNode) {
            switch node {
            case .empty:
                break
            case .literal(let scalar):
                instructions.append(.scalar(scalar))
            case .set(let set):
                if let single = set.single {
                    instructions.append(.scalar(single))
                } else {
                    instructions.append(.set(index(of: set)))
                }
            case .any(let dotAll):
                instructions.append(dotAll ? .any : .anyButNewline)
            case .assertion(let assertion):
                instructions.append(.assert(assertion))
            case .concat(let items):
                for item in items {
                    emit(item)
                }
            case .alternation(let branches):
                emitAlternation(branches)
            case .repetition(let body, let min, let max):
                emitRepetition(body, min: min, max: max)
            }
        }

        /// `split L1, next; L1: branch; jump end; next: split …` — iterative, so thousands of
        /// branches cost no stack.
        private mutating func emitAlternation(_ branches: [RegexNode]) {
            var jumps: [Int] = []
            for (offset, branch) in branches.enumerated() {
                guard offset < branches.count - 1 else {
                    emit(branch)
                    break
                }
                let split = instructions.count
                instructions.append(.split(split + 1, 0))
                emit(branch)
                jumps.append(instructions.count)
                instructions.append(.jump(0))
                instructions[split] = .split(split + 1, instructions.count)
            }
            for jump in jumps {
                instructions[jump] = .jump(instructions.count)
            }
        }

        private mutating func emitRepetition(_ body: RegexNode, min: Int, max: Int?) {
            guard body.programSize > 0 else {
                return
            }
            for _ in 0..<min {
                emit(body)
            }
            guard let max else {
                // body*: L: split body, out; body; jump L
                let split = instructions.count
                instructions.append(.split(split + 1, 0))
                emit(body)
                instructions.append(.jump(split))
                instructions[split] = .split(split + 1, instructions.count)
                return
            }
            // (body(body(…)?)?)?: each optional copy may skip all the remaining ones.
            var pending: [Int] = []
            for _ in min..<max {
                pending.append(instructions.count)
                instructions.append(.split(instructions.count + 1, 0))
                emit(body)
            }
            for split in pending {
                instructions[split] = .split(split + 1, instructions.count)
            }
        }

        private mutating func index(of set: ScalarSet) -> Int {
            if let known = setIndex[set] {
                return known
            }
            sets.append(CompiledScalarSet(set))
            setIndex[set] = sets.count - 1
            return sets.count - 1
        }
    }
}

/// The set of bytes that can start a match of a non-nullable node.
private enum FirstBytes {
    /// `nil` when every byte, or a byte of an invalid sequence (U+FFFD), could start a match.
    static func of(_ node: RegexNode) -> [Bool]? {
        guard let scalars = firstScalars(node), !scalars.ranges.contains(where: { $0.contains(0xFFFD) }) else {
            return nil
        }
        var bytes = [Bool](repeating: false, count: 256)
        for range in scalars.ranges {
            if range.lowerBound < 0x80 {
                for byte in range.lowerBound...Swift.min(range.upperBound, 0x7F) {
                    bytes[Int(byte)] = true
                }
            }
            if range.upperBound >= 0x80 {
                let low = leadByte(Swift.max(range.lowerBound, 0x80))
                let high = leadByte(range.upperBound)
                for byte in low...high {
                    bytes[Int(byte)] = true
                }
            }
        }
        return bytes.filter { $0 }.count < 200 ? bytes : nil
    }

    private static func leadByte(_ scalar: UInt32) -> UInt8 {
        switch scalar {
        case ..<0x80: return UInt8(scalar)
        case ..<0x800: return UInt8(0xC0 | (scalar >> 6))
        case ..<0x1_0000: return UInt8(0xE0 | (scalar >> 12))
        default: return UInt8(0xF0 | (scalar >> 18))
        }
    }

    /// The scalars a match can start with, or `nil` for "any".
    private static func firstScalars(_ node: RegexNode) -> ScalarSet? {
        switch node {
        case .empty, .assertion:
            return ScalarSet()
        case .literal(let scalar):
            return ScalarSet(scalar)
        case .set(let set):
            return set
        case .any:
            return nil
        case .concat(let items):
            var result = ScalarSet()
            for item in items {
                guard let first = firstScalars(item) else {
                    return nil
                }
                result.formUnion(first)
                if !item.isNullable {
                    return result
                }
            }
            return result
        case .alternation(let branches):
            var result = ScalarSet()
            for branch in branches {
                guard let first = firstScalars(branch) else {
                    return nil
                }
                result.formUnion(first)
            }
            return result
        case .repetition(let body, _, _):
            return firstScalars(body)
        }
    }
}
