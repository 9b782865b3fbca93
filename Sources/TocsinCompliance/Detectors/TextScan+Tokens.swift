// SPDX-License-Identifier: Apache-2.0

extension TextScan {
    /// `AKIA`, `ASIA`, `ABIA` or `ACCA` and 16 upper-case letters or digits; returns the end of a match.
    ///
    /// Other `A…` prefixes (`AIDA`, `AROA`) are unique ids of users and roles, not credentials.
    mutating func scanAccessKeyID(at index: Int) -> Int? {
        guard
            hasPrefix("AKIA", at: index) || hasPrefix("ASIA", at: index) || hasPrefix("ABIA", at: index)
                || hasPrefix("ACCA", at: index)
        else {
            return nil
        }
        let end = index + 20
        guard end <= text.count, isWordEnd(end),
            (index + 4..<end).allSatisfy({ ASCII.isUpper(text[$0]) || ASCII.isDigit(text[$0]) })
        else {
            return nil
        }
        found.insert(.awsAccessKeyID)
        return end
    }

    /// Exactly 40 base64 characters mixing upper case, lower case and digits or `/`/`+`, in a member
    /// whose name mentions a secret or after text that does (`aws_secret_access_key=`); returns the
    /// end of a match.
    mutating func scanSecretAccessKey(at index: Int) -> Int? {
        guard mayStartSecretAccessKey(at: index), index == 0 || !Self.isBase64(text[index - 1]) else {
            return nil
        }
        var end = index
        var hasUpper = false
        var hasLower = false
        var hasOther = false
        while end < text.count, end - index <= 40 {
            let byte = text[end]
            if ASCII.isUpper(byte) {
                hasUpper = true
            } else if ASCII.isLower(byte) {
                hasLower = true
            } else if ASCII.isDigit(byte) || ASCII.table[Int(byte)] & ASCII.base64Punctuation != 0 {
                hasOther = true
            } else {
                break
            }
            end += 1
        }
        guard end - index == 40, hasUpper, hasLower, hasOther,
            ComplianceNames.mentionsSecret(memberName) || mentionsSecret(before: index)
        else {
            return nil
        }
        found.insert(.awsSecretAccessKey)
        return end
    }

    /// Whether the 40th byte from `index` is a base64 character and the 41st is not: most words are
    /// far shorter than 40 characters, so this is the first test.
    @inline(__always)
    func mayStartSecretAccessKey(at index: Int) -> Bool {
        index + 40 <= text.count && Self.isBase64(text[index + 39]) && !Self.isBase64(byte(at: index + 40))
    }

    @inline(__always)
    private static func isBase64(_ byte: UInt8) -> Bool {
        ASCII.isAlnum(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "+")
    }

    /// Whether `secret` (any case) appears in the 48 bytes before `index`.
    private func mentionsSecret(before index: Int) -> Bool {
        var cursor = max(0, index - 48)
        while cursor + 6 <= index {
            if ASCII.lowercased(text[cursor]) == UInt8(ascii: "s"), ComplianceNames.isSecret(text, at: cursor) {
                return true
            }
            cursor += 1
        }
        return false
    }

    /// `eyJ…`: three base64url segments separated by dots, the first decoding to a JSON object with
    /// an `alg` member; returns the end of a match.
    mutating func scanJWT(at index: Int) -> Int? {
        guard hasPrefix("eyJ", at: index) else {
            return nil
        }
        let headerEnd = base64URLEnd(from: index)
        guard byte(at: headerEnd) == UInt8(ascii: "."), headerEnd - index <= 2048 else {
            return nil
        }
        let payloadEnd = base64URLEnd(from: headerEnd + 1)
        guard payloadEnd - headerEnd > 4, byte(at: payloadEnd) == UInt8(ascii: ".") else {
            return nil
        }
        let end = base64URLEnd(from: payloadEnd + 1)
        guard isWordEnd(end),
            Base64URL.isJSONObjectWithAlgorithm(UnsafeBufferPointer(rebasing: text[index..<headerEnd]))
        else {
            return nil
        }
        found.insert(.jwt)
        return end
    }

    private func base64URLEnd(from index: Int) -> Int {
        var end = index
        while end < text.count {
            let byte = text[end]
            guard ASCII.isAlnum(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") else {
                break
            }
            end += 1
        }
        return end
    }

    /// `ghp_`, `gho_`, `ghu_`, `ghs_` or `ghr_` and 36 letters or digits, or `github_pat_` and 82
    /// letters, digits or underscores; returns the end of a match.
    mutating func scanGitHubToken(at index: Int) -> Int? {
        let kind = byte(at: index + 2)
        if hasPrefix("gh", at: index), byte(at: index + 3) == UInt8(ascii: "_"),
            kind == UInt8(ascii: "p") || kind == UInt8(ascii: "o") || kind == UInt8(ascii: "u")
                || kind == UInt8(ascii: "s") || kind == UInt8(ascii: "r")
        {
            return token(at: index, prefixLength: 4, bodyLength: 36, allowsUnderscore: false, category: .githubToken)
        }
        if hasPrefix("github_pat_", at: index) {
            return token(at: index, prefixLength: 11, bodyLength: 82, allowsUnderscore: true, category: .githubToken)
        }
        return nil
    }

    /// A body of exactly `bodyLength` letters and digits after a prefix; records `category`.
    private mutating func token(
        at index: Int,
        prefixLength: Int,
        bodyLength: Int,
        allowsUnderscore: Bool,
        category: ComplianceCategory
    ) -> Int? {
        var end = index + prefixLength
        while end < text.count, ASCII.isAlnum(text[end]) || (allowsUnderscore && text[end] == UInt8(ascii: "_")) {
            end += 1
        }
        guard end - index - prefixLength == bodyLength, byte(at: end) != UInt8(ascii: "_") else {
            return nil
        }
        found.insert(category)
        return end
    }

    /// `xoxb-`, `xoxp-`, `xoxa-`, `xoxo-`, `xoxr-`, `xoxs-`, `xoxe-` or `xapp-` followed by at least
    /// 20 characters in three or more hyphen-separated parts, the first numeric; returns the end of a match.
    mutating func scanSlackToken(at index: Int) -> Int? {
        let kind = byte(at: index + 3)
        let isBotOrUser =
            hasPrefix("xox", at: index) && byte(at: index + 4) == UInt8(ascii: "-")
            && Array("bpaorse".utf8).contains(kind)
        guard isBotOrUser || hasPrefix("xapp-", at: index) else {
            return nil
        }
        let bodyStart = index + 5
        var end = bodyStart
        var hyphens = 0
        while end < text.count, ASCII.isAlnum(text[end]) || text[end] == UInt8(ascii: "-") {
            hyphens += text[end] == UInt8(ascii: "-") ? 1 : 0
            end += 1
        }
        guard end - bodyStart >= 20, hyphens >= 2, ASCII.isDigit(byte(at: bodyStart)) else {
            return nil
        }
        found.insert(.slackToken)
        return end
    }

    /// `hooks.slack.com/services/T…/B…/` and a 24-character secret; returns the end of a match.
    mutating func scanSlackWebhook(at index: Int) -> Int? {
        guard hasPrefix("hooks.slack.com/services/T", at: index) else {
            return nil
        }
        var end = index + 25
        for (expectedFirst, minimum) in [(UInt8(ascii: "T"), 9), (UInt8(ascii: "B"), 9), (0, 24)] {
            let partStart = end
            guard expectedFirst == 0 || byte(at: end) == expectedFirst else {
                return nil
            }
            while end < text.count, ASCII.isAlnum(text[end]) {
                end += 1
            }
            guard end - partStart >= minimum else {
                return nil
            }
            if expectedFirst != 0 {
                guard byte(at: end) == UInt8(ascii: "/") else {
                    return nil
                }
                end += 1
            }
        }
        found.insert(.slackToken)
        return end
    }

    /// `-----BEGIN … PRIVATE KEY-----` (RSA, EC, DSA, OpenSSH, encrypted, PKCS #8, PGP blocks)
    /// followed by key material; returns the end of the header.
    mutating func scanPrivateKey(at index: Int) -> Int? {
        guard byte(at: index + 4) == UInt8(ascii: "-"), hasPrefix("-----BEGIN ", at: index) else {
            return nil
        }
        var end = index + 11
        while end < text.count, end - index < 64, ASCII.isUpper(text[end]) || text[end] == UInt8(ascii: " ") {
            end += 1
        }
        let isKeyLabel =
            hasPrefix("PRIVATE KEY-----", at: end - 11) || hasPrefix("PRIVATE KEY BLOCK-----", at: end - 17)
        guard isKeyLabel, hasPrefix("-----", at: end) else {
            return nil
        }
        end += 5
        var body = end
        while body < text.count, text[body] <= UInt8(ascii: " ") {
            body += 1
        }
        guard ASCII.isAlnum(byte(at: body)) else {
            return nil
        }
        found.insert(.privateKey)
        return end
    }
}
