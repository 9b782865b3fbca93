// SPDX-License-Identifier: Apache-2.0

/// One pass of every detector over the UTF-8 bytes of one string value.
///
/// The scan walks the bytes once. Most bytes cost one table load: a detector runs only where its
/// match could start (a digit or letter after a non-alphanumeric byte, `+`, `(`, `@`, `:` or `-`),
/// and each detector reads a bounded window from there, so the cost stays linear in the length of
/// the text whatever its content. Each detector validates what it matched (checksums, issuer
/// ranges, decodable headers) before reporting it.
struct TextScan {
    /// The text, valid for the duration of the scan.
    let text: UnsafeBufferPointer<UInt8>
    /// The decoded name of the member that holds the text; empty for an array element.
    ///
    /// A name that mentions a secret lets an unmarked 40-character token count as an AWS secret
    /// access key. It is read only when such a token is found.
    let memberName: UnsafeBufferPointer<UInt8>
    /// The categories found so far.
    var found = ComplianceCategorySet()
    /// The first index the IPv6 detector has not examined yet, so runs of colons are read once.
    var ipv6ScannedUntil = 0

    init(text: UnsafeBufferPointer<UInt8>, memberName: UnsafeBufferPointer<UInt8>) {
        self.text = text
        self.memberName = memberName
    }

    /// The categories found in `text`, held by a member named `memberName` (decoded; empty for none).
    static func categories(
        in text: UnsafeBufferPointer<UInt8>,
        memberName: UnsafeBufferPointer<UInt8>
    ) -> ComplianceCategorySet {
        var scan = TextScan(text: text, memberName: memberName)
        scan.run()
        return scan.found
    }

    /// The byte at `index`, or 0 outside the text.
    @inline(__always)
    func byte(at index: Int) -> UInt8 {
        index >= 0 && index < text.count ? text[index] : 0
    }

    /// Whether the bytes from `index` equal `literal`.
    func hasPrefix(_ literal: StaticString, at index: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index >= 0, index + count <= text.count else {
            return false
        }
        let pointer = literal.utf8Start
        for offset in 0..<count where text[index + offset] != pointer[offset] {
            return false
        }
        return true
    }

    /// Whether `index` starts a word: the previous byte is not a letter or digit.
    @inline(__always)
    func isWordStart(_ index: Int) -> Bool {
        index == 0 || !ASCII.isAlnum(text[index - 1])
    }

    /// Whether `index` ends a word: the byte there is not a letter or digit.
    @inline(__always)
    func isWordEnd(_ index: Int) -> Bool {
        index >= text.count || !ASCII.isAlnum(text[index])
    }

    private mutating func run() {
        ASCII.table.withUnsafeBufferPointer { table in
            var index = 0
            let count = text.count
            while index < count {
                let byte = text[index]
                let classes = table[Int(byte)]
                if classes & ASCII.trigger == 0 {
                    index += 1
                    continue
                }
                index = dispatch(byte, classes: classes, at: index)
            }
        }
    }

    /// Runs the detectors that can start at `index`; returns where the scan continues.
    private mutating func dispatch(_ byte: UInt8, classes: UInt8, at index: Int) -> Int {
        if classes & ASCII.alnum != 0 {
            guard isWordStart(index) else {
                return index + 1
            }
            if let end = word(startingWith: byte, classes: classes, at: index) {
                return end
            }
            return skipWord(from: index)
        }
        switch byte {
        case UInt8(ascii: "@"):
            scanAt(index)
        case UInt8(ascii: ":"):
            scanIPv6(around: index)
        case UInt8(ascii: "+"):
            if let end = scanInternationalPhone(at: index) {
                return end
            }
        case UInt8(ascii: "("):
            if let end = scanParenthesisedPhone(at: index) {
                return end
            }
        default:
            if let end = scanPrivateKey(at: index) {
                return end
            }
        }
        return index + 1
    }

    /// Runs the detectors for a word that starts at `index`; returns the end of a match.
    private mutating func word(startingWith byte: UInt8, classes: UInt8, at index: Int) -> Int? {
        if mayStartSecretAccessKey(at: index), let end = scanSecretAccessKey(at: index) {
            return end
        }
        if classes & ASCII.digit != 0 {
            return scanNumber(at: index)
        }
        switch byte {
        case UInt8(ascii: "A"):
            if let end = scanAccessKeyID(at: index) {
                return end
            }
        case UInt8(ascii: "e"):
            if let end = scanJWT(at: index) {
                return end
            }
        case UInt8(ascii: "g"):
            if let end = scanGitHubToken(at: index) {
                return end
            }
        case UInt8(ascii: "x"):
            if let end = scanSlackToken(at: index) {
                return end
            }
        case UInt8(ascii: "h"):
            if let end = scanSlackWebhook(at: index) {
                return end
            }
        default:
            break
        }
        if classes & ASCII.upper != 0, let end = scanIBAN(at: index) {
            return end
        }
        if classes & ASCII.hexLetter != 0, hasColonInFirstGroup(from: index) {
            return scanIPv6(around: index)
        }
        return nil
    }

    /// Whether a colon follows at most four hex digits from `index`, as in an IPv6 address.
    func hasColonInFirstGroup(from index: Int) -> Bool {
        var cursor = index
        while cursor < text.count, cursor - index <= 4 {
            let byte = text[cursor]
            if byte == UInt8(ascii: ":") {
                return true
            }
            guard ASCII.isHex(byte) else {
                return false
            }
            cursor += 1
        }
        return false
    }

    /// The index after the letters and digits that start at `index`, read eight bytes at a time.
    func skipWord(from index: Int) -> Int {
        var end = index + 1
        if let base = UnsafeRawPointer(text.baseAddress) {
            while end + 8 <= text.count {
                let mask = ASCII.nonAlnumMask(UInt64(littleEndian: (base + end).loadUnaligned(as: UInt64.self)))
                if mask != 0 {
                    return end + mask.trailingZeroBitCount >> 3
                }
                end += 8
            }
        }
        while end < text.count, ASCII.isAlnum(text[end]) {
            end += 1
        }
        return end
    }
}
