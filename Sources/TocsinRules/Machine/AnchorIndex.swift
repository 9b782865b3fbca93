// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// What a sub-rule is found by: one value test of one of its conditions, indexed per path.
enum AnchorKey: Hashable {
    case string(String)
    case number(NumberLiteral)
    case bool(Bool)
    case null
    case address(IPRange)
    case prefix([UInt8])
    case suffix([UInt8])
    case foldedExact([UInt8])
    case foldedPrefix([UInt8])
    case foldedSuffix([UInt8])
    case substring([UInt8])
    case range(NumericRange)
    case anyString
    case anyLeaf

    /// Relative cost of a candidate found this way (lower is more selective).
    var weight: Int {
        switch self {
        case .string, .number, .bool, .null, .foldedExact: 1
        case .address(let range): range.prefixLength == (range.isV6 ? 128 : 32) ? 1 : 2
        case .substring: 2
        case .prefix, .suffix, .foldedPrefix, .foldedSuffix: 3
        case .range: 4
        case .anyString, .anyLeaf: 8
        }
    }
}

/// All anchors of one path: given a leaf at the path, fires every sub-rule anchored on a test the
/// leaf passes (a superset is fine: candidates are verified; a miss is not).
final class AnchorIndex: Sendable {
    /// The exact string values tested, their sub-rules, and a table over them (see ``NameLookup``:
    /// cheaper than hashing every string leaf of an event with SipHash).
    private let strings: [String]
    private let stringIDs: [[Int32]]
    private let stringLookup: NameLookup
    private let numberTexts: [String: [Int32]]
    private let numberValues: [Double: [Int32]]
    private let trues: [Int32]
    private let falses: [Int32]
    private let nulls: [Int32]
    private let anyLeaf: [Int32]
    private let anyString: [Int32]
    private let addresses: AddressIndex
    private let prefixes: ByteTrie
    private let suffixes: ByteTrie
    private let foldedPrefixes: ByteTrie
    private let foldedSuffixes: ByteTrie
    private let substrings: SubstringIndex
    private let ranges: [(range: NumericRange, ids: [Int32])]

    init(_ builder: AnchorIndexBuilder) {
        strings = Array(builder.strings.keys)
        stringIDs = strings.map { builder.strings[$0] ?? [] }
        stringLookup = NameLookup(names: strings)
        numberTexts = builder.numberTexts
        numberValues = builder.numberValues
        trues = builder.trues
        falses = builder.falses
        nulls = builder.nulls
        anyLeaf = builder.anyLeaf
        anyString = builder.anyString
        addresses = builder.addresses
        prefixes = builder.prefixes
        suffixes = builder.suffixes
        foldedPrefixes = builder.foldedPrefixes
        foldedSuffixes = builder.foldedSuffixes
        var substrings = builder.substrings
        substrings.build()
        self.substrings = substrings
        ranges = builder.ranges
    }

    /// Fires the sub-rules whose anchor `leaf` passes.
    func fire(_ leaf: JSONValue, into state: inout MatchState) {
        state.addCandidates(anyLeaf)
        switch leaf {
        case .string(let text):
            fireString(text, into: &state)
        case .number(let number):
            if let ids = numberTexts[number.text] {
                state.addCandidates(ids)
            }
            if !numberValues.isEmpty || !ranges.isEmpty, let value = NumberText.comparableValue(number.text) {
                if let ids = numberValues[value == 0 ? 0 : value] {
                    state.addCandidates(ids)
                }
                for entry in ranges where entry.range.contains(value) {
                    state.addCandidates(entry.ids)
                }
            }
        case .bool(let value):
            state.addCandidates(value ? trues : falses)
        case .null:
            state.addCandidates(nulls)
        case .array, .object:
            return
        }
    }

    private func fireString(_ text: String, into state: inout MatchState) {
        state.addCandidates(anyString)
        if !strings.isEmpty, let position = stringLookup.position(of: text, in: strings) {
            state.addCandidates(stringIDs[position])
        }
        if !addresses.isEmpty, let address = IPAddress.parse(text, allowsLeadingZeros: true) {
            addresses.fire(address, into: &state)
        }
        guard
            !(prefixes.isEmpty && suffixes.isEmpty && foldedPrefixes.isEmpty && foldedSuffixes.isEmpty
                && substrings.isEmpty)
        else {
            return
        }
        var text = text
        text.withUTF8 { bytes in
            if !prefixes.isEmpty {
                prefixes.walk(bytes, reversed: false, folding: false, into: &state)
            }
            if !suffixes.isEmpty {
                suffixes.walk(bytes, reversed: true, folding: false, into: &state)
            }
            if !substrings.isEmpty {
                substrings.walk(bytes, into: &state)
            }
        }
        guard !(foldedPrefixes.isEmpty && foldedSuffixes.isEmpty) else {
            return
        }
        let ascii = text.withUTF8 { CaseFolding.isASCII($0) }
        var folded = ascii ? text : CaseFolding.fold(text)
        folded.withUTF8 { bytes in
            if !foldedPrefixes.isEmpty {
                foldedPrefixes.walk(bytes, reversed: false, folding: ascii, into: &state)
            }
            if !foldedSuffixes.isEmpty {
                foldedSuffixes.walk(bytes, reversed: true, folding: ascii, into: &state)
            }
        }
    }
}

/// Collects the anchors of one path before they are frozen into an ``AnchorIndex``.
struct AnchorIndexBuilder {
    fileprivate(set) var strings: [String: [Int32]] = [:]
    fileprivate(set) var numberTexts: [String: [Int32]] = [:]
    fileprivate(set) var numberValues: [Double: [Int32]] = [:]
    fileprivate(set) var trues: [Int32] = []
    fileprivate(set) var falses: [Int32] = []
    fileprivate(set) var nulls: [Int32] = []
    fileprivate(set) var anyLeaf: [Int32] = []
    fileprivate(set) var anyString: [Int32] = []
    fileprivate(set) var addresses = AddressIndex()
    fileprivate(set) var prefixes = ByteTrie()
    fileprivate(set) var suffixes = ByteTrie()
    fileprivate(set) var foldedPrefixes = ByteTrie()
    fileprivate(set) var foldedSuffixes = ByteTrie()
    fileprivate(set) var substrings = SubstringIndex()
    fileprivate(set) var ranges: [(range: NumericRange, ids: [Int32])] = []

    mutating func insert(_ key: AnchorKey, id: Int32) {
        switch key {
        case .string(let text): strings[text, default: []].append(id)
        case .number(let literal):
            numberTexts[literal.text, default: []].append(id)
            if let value = literal.value {
                numberValues[value == 0 ? 0 : value, default: []].append(id)
            }
        case .bool(let value): value ? trues.append(id) : falses.append(id)
        case .null: nulls.append(id)
        case .address(let range): addresses.insert(range, id: id)
        case .prefix(let bytes): prefixes.insert(bytes, id: id, exact: false)
        case .suffix(let bytes): suffixes.insert(bytes.reversed(), id: id, exact: false)
        case .foldedExact(let bytes): foldedPrefixes.insert(bytes, id: id, exact: true)
        case .foldedPrefix(let bytes): foldedPrefixes.insert(bytes, id: id, exact: false)
        case .foldedSuffix(let bytes): foldedSuffixes.insert(bytes.reversed(), id: id, exact: false)
        case .substring(let bytes): substrings.insert(bytes, id: id)
        case .range(let range):
            if let index = ranges.firstIndex(where: { $0.range == range }) {
                ranges[index].ids.append(id)
            } else {
                ranges.append((range, [id]))
            }
        case .anyString: anyString.append(id)
        case .anyLeaf: anyLeaf.append(id)
        }
    }
}

/// CIDR blocks and IP literals of one path, probed once per prefix length in use.
struct AddressIndex: Sendable {
    private var lengthsV4: [Int] = []
    private var lengthsV6: [Int] = []
    private var blocks: [IPRange: [Int32]] = [:]

    var isEmpty: Bool { blocks.isEmpty }

    mutating func insert(_ range: IPRange, id: Int32) {
        blocks[range, default: []].append(id)
        if range.isV6 {
            if !lengthsV6.contains(range.prefixLength) {
                lengthsV6.append(range.prefixLength)
            }
        } else if !lengthsV4.contains(range.prefixLength) {
            lengthsV4.append(range.prefixLength)
        }
    }

    func fire(_ address: IPAddress, into state: inout MatchState) {
        for length in address.isV6 ? lengthsV6 : lengthsV4 {
            if let ids = blocks[IPRange(isV6: address.isV6, prefixLength: length, address: address)] {
                state.addCandidates(ids)
            }
        }
    }
}
