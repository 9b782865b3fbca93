// SPDX-License-Identifier: Apache-2.0

/// Walks a JSON document's bytes once, runs the detectors over every string value and records
/// the findings with the value's path.
struct JSONWalker {
    /// One step of the path to the current value.
    private enum Step {
        /// A member whose name is the raw (still escaped when `hasEscapes`) bytes in the range.
        case member(Range<Int>, hasEscapes: Bool)
        /// An array element.
        case index(Int)
    }

    private let json: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var steps: [Step] = []
    /// Decoded text of a string that has escapes; reused across strings.
    private var scratch: [UInt8] = []
    /// Decoded name of a member whose name has escapes; reused across strings.
    private var nameScratch: [UInt8] = []
    /// The findings so far, in document order.
    private(set) var findings: [ComplianceFinding] = []

    init(json: UnsafeBufferPointer<UInt8>) {
        self.json = json
    }

    mutating func walkDocument() throws(ComplianceScanError) {
        skipWhitespace()
        try walkValue(depth: 0)
        skipWhitespace()
        guard index == json.count else {
            throw ComplianceScanError(code: .malformedJSON, offset: index)
        }
    }

    private mutating func walkValue(depth: Int) throws(ComplianceScanError) {
        guard index < json.count else {
            throw ComplianceScanError(code: .malformedJSON, offset: index)
        }
        switch json[index] {
        case UInt8(ascii: "{"):
            try walkObject(depth: depth + 1)
        case UInt8(ascii: "["):
            try walkArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            let (range, hasEscapes) = try readString()
            try scanString(range, hasEscapes: hasEscapes)
        default:
            try skipScalar()
        }
    }

    private mutating func walkObject(depth: Int) throws(ComplianceScanError) {
        guard depth <= ComplianceScanner.maximumDepth else {
            throw ComplianceScanError(code: .tooDeep, offset: index)
        }
        index += 1
        skipWhitespace()
        if byte(at: index) == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            guard byte(at: index) == UInt8(ascii: "\"") else {
                throw ComplianceScanError(code: .malformedJSON, offset: index)
            }
            let (name, hasEscapes) = try readString()
            skipWhitespace()
            guard byte(at: index) == UInt8(ascii: ":") else {
                throw ComplianceScanError(code: .malformedJSON, offset: index)
            }
            index += 1
            skipWhitespace()
            steps.append(.member(name, hasEscapes: hasEscapes))
            try walkValue(depth: depth)
            steps.removeLast()
            skipWhitespace()
            guard try continues(closing: UInt8(ascii: "}")) else {
                return
            }
        }
    }

    private mutating func walkArray(depth: Int) throws(ComplianceScanError) {
        guard depth <= ComplianceScanner.maximumDepth else {
            throw ComplianceScanError(code: .tooDeep, offset: index)
        }
        index += 1
        skipWhitespace()
        if byte(at: index) == UInt8(ascii: "]") {
            index += 1
            return
        }
        var element = 0
        while true {
            steps.append(.index(element))
            try walkValue(depth: depth)
            steps.removeLast()
            element += 1
            skipWhitespace()
            guard try continues(closing: UInt8(ascii: "]")) else {
                return
            }
        }
    }

    /// After a member or element: `true` past a comma, `false` past the closing bracket.
    private mutating func continues(closing: UInt8) throws(ComplianceScanError) -> Bool {
        let next = byte(at: index)
        index += 1
        if next == UInt8(ascii: ",") {
            skipWhitespace()
            return true
        }
        guard next == closing else {
            throw ComplianceScanError(code: .malformedJSON, offset: index - 1)
        }
        return false
    }

    /// Reads the string at `index` (its opening quote); returns the raw content's range.
    private mutating func readString() throws(ComplianceScanError) -> (Range<Int>, Bool) {
        index += 1
        let start = index
        var hasEscapes = false
        while true {
            skipPlainBytes()
            guard index < json.count else {
                break
            }
            let byte = json[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (start..<index - 1, hasEscapes)
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                index += 2
            } else if byte < 0x20 {
                break
            } else {
                index += 1
            }
        }
        throw ComplianceScanError(code: .malformedJSON, offset: min(index, json.count))
    }

    /// Advances eight bytes at a time while none of them is a quote, a backslash or a control
    /// byte; stops on the first word that holds one, at that byte, or fewer than eight bytes
    /// before the end.
    @inline(__always)
    private mutating func skipPlainBytes() {
        guard let base = UnsafeRawPointer(json.baseAddress) else {
            return
        }
        while index + 8 <= json.count {
            let mask = Self.attentionMask(UInt64(littleEndian: (base + index).loadUnaligned(as: UInt64.self)))
            if mask != 0 {
                index += mask.trailingZeroBitCount >> 3
                return
            }
            index += 8
        }
    }

    /// The high bit of each byte of `word` that is a quote, a backslash or below 0x20, and possibly
    /// of bytes after the first such one (a borrow), so only the lowest bit set is exact.
    @inline(__always)
    private static func attentionMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- ones &* 0x20) & ~word
        return (hasQuote | hasBackslash | hasControl) & (ones &* 0x80)
    }

    /// Skips a number, `true`, `false` or `null`.
    private mutating func skipScalar() throws(ComplianceScanError) {
        let start = index
        while index < json.count {
            let byte = json[index]
            guard
                ASCII.isAlnum(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                    || byte == UInt8(ascii: ".")
            else {
                break
            }
            index += 1
        }
        guard index > start else {
            throw ComplianceScanError(code: .malformedJSON, offset: index)
        }
    }

    private mutating func skipWhitespace() {
        while index < json.count {
            let byte = json[index]
            guard
                byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                    || byte == UInt8(ascii: "\t")
            else {
                return
            }
            index += 1
        }
    }

    @inline(__always)
    private func byte(at index: Int) -> UInt8 {
        index < json.count ? json[index] : 0
    }

    /// Runs the detectors over one string value and records what they find.
    private mutating func scanString(_ range: Range<Int>, hasEscapes: Bool) throws(ComplianceScanError) {
        var rawName = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        var nameHasEscapes = false
        if case .member(let nameRange, let escaped) = steps.last {
            rawName = UnsafeBufferPointer(rebasing: json[nameRange])
            nameHasEscapes = escaped
        }
        if nameHasEscapes {
            // The decoded name, as the member name of a parsed document is checked.
            nameScratch.removeAll(keepingCapacity: true)
            if !JSONStringDecoder.decode(rawName, into: &nameScratch) {
                nameScratch = Array(rawName)
            }
        }
        if hasEscapes {
            scratch.removeAll(keepingCapacity: true)
            guard JSONStringDecoder.decode(UnsafeBufferPointer(rebasing: json[range]), into: &scratch) else {
                throw ComplianceScanError(code: .malformedJSON, offset: range.lowerBound)
            }
        }
        let text = UnsafeBufferPointer(rebasing: json[range])
        let found: ComplianceCategorySet
        switch (hasEscapes, nameHasEscapes) {
        case (false, false):
            found = TextScan.categories(in: text, memberName: rawName)
        case (true, false):
            found = scratch.withUnsafeBufferPointer { TextScan.categories(in: $0, memberName: rawName) }
        case (false, true):
            found = nameScratch.withUnsafeBufferPointer { TextScan.categories(in: text, memberName: $0) }
        case (true, true):
            found = scratch.withUnsafeBufferPointer { decoded in
                nameScratch.withUnsafeBufferPointer { TextScan.categories(in: decoded, memberName: $0) }
            }
        }
        guard !found.isEmpty else {
            return
        }
        let path = renderPath()
        for category in found {
            findings.append(ComplianceFinding(category: category, path: path))
        }
    }

    /// The current path, such as `$.detail.items[2]['e-mail']`.
    private mutating func renderPath() -> String {
        var path: [UInt8] = [UInt8(ascii: "$")]
        path.reserveCapacity(64)
        for step in steps {
            switch step {
            case .index(let element):
                path.append(UInt8(ascii: "["))
                JSONPathText.appendDecimal(element, to: &path)
                path.append(UInt8(ascii: "]"))
            case .member(let range, let hasEscapes):
                let raw = UnsafeBufferPointer(rebasing: json[range])
                nameScratch.removeAll(keepingCapacity: true)
                if hasEscapes, JSONStringDecoder.decode(raw, into: &nameScratch) {
                    JSONPathText.appendMember(nameScratch, to: &path)
                } else {
                    JSONPathText.appendMember(raw, to: &path)
                }
            }
        }
        return String(decoding: path, as: UTF8.self)
    }
}
