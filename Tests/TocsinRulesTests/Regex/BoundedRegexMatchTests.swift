// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinRules

/// Every construct and flag of the dialect, as (pattern, flags, input, expected) rows.
struct BoundedRegexMatchTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let pattern: String
        let flags: String
        let input: String
        let expected: Bool

        init(_ pattern: String, _ input: String, _ expected: Bool) {
            self.init(pattern, "", input, expected)
        }

        init(_ pattern: String, _ flags: String, _ input: String, _ expected: Bool) {
            self.pattern = pattern
            self.flags = flags
            self.input = input
            self.expected = expected
        }

        var options: BoundedRegex.Options {
            BoundedRegex.Options(
                caseInsensitive: flags.contains("i"),
                multiline: flags.contains("m"),
                dotMatchesNewline: flags.contains("s")
            )
        }

        var testDescription: String { "/\(pattern)/\(flags) ~ \(input.debugDescription) → \(expected)" }
    }

    static let literals: [Case] = [
        Case("abc", "xxabcxx", true),
        Case("abc", "xxabxcx", false),
        Case("", "anything", true),
        Case("", "", true),
        Case("a", "", false),
        Case("é", "café", true),
        Case("日本", "こんにちは日本語", true),
        Case("\\.", "a.b", true),
        Case("\\.", "ab", false),
        Case("a\\\\b", "a\\b", true),
        Case("\\t\\n\\r", "x\t\n\ry", true),
        Case("\\x41\\x{42}", "zABz", true),
        Case("\\u00e9", "café", true),
        Case("\\x{1F600}", "smile 😀", true),
        Case("\\f\\v\\a\\e", "\u{0C}\u{0B}\u{07}\u{1B}", true),
        Case("\\0", "a\u{0}b", true),
        Case("\\Qa.b*c\\E", "xa.b*cx", true),
        Case("\\Qa.b*c\\E", "xaXbbcx", false),
        Case("a{", "a{", true),
        Case("a{,3}", "a{,3}", true),
        Case("x{1,2", "x{1,2", true),
        Case("]", "]", true),
        Case("}", "}", true),
    ]

    static let dot: [Case] = [
        Case("a.c", "abc", true),
        Case("a.c", "a\nc", false),
        Case("a.c", "s", "a\nc", true),
        Case("(?s)a.c", "a\nc", true),
        Case("a.c", "aéc", true),
        Case("a.c", "a😀c", true),
        Case("^.$", "é", true),
        Case("^..$", "é", false),
    ]

    static let classes: [Case] = [
        Case("[abc]", "xbx", true),
        Case("[abc]", "xyz", false),
        Case("[^abc]", "abc", false),
        Case("[^abc]", "abcd", true),
        Case("[a-z]+@[a-z]+\\.com", "mail bob@example.com", true),
        Case("^[0-9a-f]{8}$", "deadbeef", true),
        Case("^[0-9a-f]{8}$", "deadbeeg", false),
        Case("[]a]", "]", true),
        Case("[^]a]", "]a", false),
        Case("[a-]", "-", true),
        Case("[-a]", "-", true),
        Case("[\\]]", "]", true),
        Case("[\\d.]+", "1.2", true),
        Case("^[\\w-]+$", "my-host_1", true),
        Case("^[\\w-]+$", "my host", false),
        Case("[\\s]", "a b", true),
        Case("[\\S]", "   ", false),
        Case("[\\x41-\\x43]", "B", true),
        Case("[à-ÿ]", "voilà", true),
        Case("[^à-ÿ]", "ààà", false),
        Case("[[:alpha:]]+[[:digit:]]", "abc1", true),
        Case("^[[:xdigit:]]+$", "c0FFee", true),
        Case("^[[:^digit:]]+$", "abc", true),
        Case("^[[:^digit:]]+$", "ab1", false),
        Case("[[:punct:]]", "abc!", true),
        Case("[[:space:]]", "a\u{0B}b", true),
        Case("[[:upper:]]", "abc", false),
        Case("[[:upper:]]", "i", "abc", true),
        Case("[[:lower:][:digit:]]", "ABC9", true),
        Case("[[:blank:]]", "a\tb", true),
        Case("[[:word:]]", "--_--", true),
        Case("[[:cntrl:]]", "a\u{7F}", true),
        Case("[[:ascii:]]", "é", false),
        Case("[[:alnum:]]", "é!", false),
        Case("[[:graph:]]", " ", false),
        Case("[[:print:]]", " ", true),
        Case("[[]", "[", true),
        Case("[a[:b]", ":", true),
    ]

    static let escapes: [Case] = [
        Case("\\d+", "abc123", true),
        Case("\\d", "abc", false),
        Case("\\d", "٣", false),
        Case("^\\D+$", "abc", true),
        Case("\\w+", "!!a!!", true),
        Case("\\w", "é", false),
        Case("^\\W+$", "!?", true),
        Case("\\s", "a\tb", true),
        Case("\\s", "a\u{0B}b", false),
        Case("^\\S+$", "a b", false),
        Case("\\bcat\\b", "the cat sat", true),
        Case("\\bcat\\b", "concatenate", false),
        Case("\\Bcat\\B", "concatenate", true),
        Case("\\Bcat", "cat", false),
        Case("\\b", "", false),
        Case("\\B", "", true),
        Case("\\bé", " é", false),
        Case("\\Ahello", "hello world", true),
        Case("\\Ahello", "say hello", false),
        Case("world\\z", "hello world", true),
        Case("world\\z", "world\n", false),
        Case("a\\-b\\/c\\:d", "a-b/c:d", true),
    ]

    static let anchors: [Case] = [
        Case("^abc", "abcdef", true),
        Case("^abc", "xabc", false),
        Case("abc$", "xxabc", true),
        Case("abc$", "abc\n", false),
        Case("^abc$", "abc", true),
        Case("^$", "", true),
        Case("^$", "a", false),
        Case("^b", "a\nb", false),
        Case("^b", "m", "a\nb", true),
        Case("a$", "m", "a\nb", true),
        Case("a$", "a\nb", false),
        Case("(?m)^b$", "a\nb\nc", true),
        Case("\\Ab", "m", "a\nb", false),
        Case("a\\z", "m", "a\nb", false),
        Case("^", "m", "", true),
        Case("x^", "m", "x\ny", false),
        Case("$x", "m", "\nx", false),
        Case("(^a|b)", "cb", true),
        Case("(^a|^b)c", "xbc", false),
    ]

    static let groupsAndAlternation: [Case] = [
        Case("cat|dog", "hotdog", true),
        Case("cat|dog", "bird", false),
        Case("a(b|c)d", "acd", true),
        Case("a(b|c)d", "aed", false),
        Case("a(?:b|c)+d", "abcbcd", true),
        Case("(?P<user>[a-z]+)@(?<host>[a-z]+)", "bob@host", true),
        Case("(a|)b", "b", true),
        Case("(|a)b", "ab", true),
        Case("a||b", "c", true),
        Case("()", "x", true),
        Case("((((a))))", "a", true),
        Case("(a|b|c|d|e)f", "ef", true),
        Case("(?:)", "", true),
    ]

    static let quantifiers: [Case] = [
        Case("ab*c", "ac", true),
        Case("ab*c", "abbbc", true),
        Case("ab+c", "ac", false),
        Case("ab+c", "abbc", true),
        Case("ab?c", "abc", true),
        Case("ab?c", "abbc", false),
        Case("^a{3}$", "aaa", true),
        Case("^a{3}$", "aa", false),
        Case("^a{2,}$", "aaaaa", true),
        Case("^a{2,}$", "a", false),
        Case("^a{2,3}$", "aaaa", false),
        Case("^a{2,3}$", "aaa", true),
        Case("^a{0}$", "", true),
        Case("^a{0,0}b$", "b", true),
        Case("^(ab){2}$", "abab", true),
        Case("^(ab){2}$", "ab", false),
        Case("ab*?c", "abbc", true),
        Case("ab+?c", "ac", false),
        Case("ab??c", "ac", true),
        Case("^a{2,3}?$", "aaa", true),
        Case("^a{2,}?$", "aaaa", true),
        Case("^(a*)*$", "aaaa", true),
        Case("^(a*)*$", "aab", false),
        Case("^(a|b)*c$", "ababc", true),
        Case("^(?:a?)+$", "", true),
        Case("^(?:)+$", "", true),
        Case("(?:\\b)*x", "x", true),
        Case("^é{2}$", "éé", true),
        Case("^😀+$", "😀😀", true),
    ]

    static let flags: [Case] = [
        Case("hello", "i", "HeLLo", true),
        Case("hello", "HeLLo", false),
        Case("(?i)hello", "HELLO", true),
        Case("(?i)HELLO", "hello", true),
        Case("a(?i)b", "aB", true),
        Case("a(?i)b", "AB", false),
        Case("(?i:a)b", "Ab", true),
        Case("(?i:a)b", "AB", false),
        Case("(a(?i)b)c", "aBc", true),
        Case("(a(?i)b)c", "aBC", false),
        Case("(?i)a(?-i)b", "Ab", true),
        Case("(?i)a(?-i)b", "AB", false),
        Case("(?i)x|y", "Y", true),
        Case("(?im)^abc$", "x\nABC\ny", true),
        Case("(?is)a.c", "A\nC", true),
        Case("(?U)a+", "a", true),
        Case("(?sm-i)^a.b$", "a\nb", true),
        Case("[a-z]+", "i", "ABC", true),
        Case("[^a-z]", "i", "ABC", false),
        Case("[^A-Z]+", "i", "abc", false),
        Case("\\W", "i", "k", false),
        Case("k", "i", "\u{212A}", true),
        Case("\u{212A}", "i", "k", true),
        Case("s", "i", "\u{17F}", true),
        Case("café", "i", "CAFÉ", true),
        Case("σ", "i", "ΟΔΟΣ", true),
        Case("ς", "i", "σ", true),
        Case("straße", "i", "STRASSE", false),
        Case("ДОМ", "i", "дом", true),
        Case("ǆ", "i", "ǅ", true),
        Case("[é]", "i", "É", true),
        Case("\\x{41}", "i", "a", true),
        Case("é", "É", false),
        Case("stratus-red-team", "i", "ua STRATUS-Red-Team/1", true),
        Case("stratus-red-team", "i", "ua stratus-red-tea", false),
        Case("(?i)kelvin", "\u{212A}ELVIN", true),
        Case("(?i)sk", "\u{17F}\u{212A}", true),
        Case("i", "i", "\u{131}", false),
        Case("I", "i", "\u{130}", false),
        Case("(?i)ab(?-i)C", "ABc", false),
        Case("(?i)ab(?-i)C", "ABC", true),
    ]

    static let sigma: [Case] = [
        Case(".+:assumed-role/aws:.+", "arn:aws:sts::1:assumed-role/aws:ec2/i-1", true),
        Case(".+:assumed-role/aws:.+", "arn:aws:sts::1:assumed-role/admin", false),
        Case(
            "(^0oa.*|[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,10})",
            "0oa1b2c3",
            true
        ),
        Case("(^0oa.*|[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,10})", "alice@example.org", true),
        Case("(^0oa.*|[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,10})", "x0oa", false),
        Case("\\$[A-Za-z0-9]{2,}=", "i", "cmd /c $ABC=1", true),
        Case("^(?:[0-9]{1,3}\\.){3}[0-9]{1,3}$", "10.0.0.255", true),
        Case("^(?:[0-9]{1,3}\\.){3}[0-9]{1,3}$", "10.0.0", false),
        Case("(?i)\\\\windows\\\\temp\\\\[^\\\\]+\\.exe$", "C:\\WINDOWS\\Temp\\evil.EXE", true),
        Case("(?i)\\\\windows\\\\temp\\\\[^\\\\]+\\.exe$", "C:\\Windows\\Temp\\sub\\x.dll", false),
        Case("[Gg]et-[Cc]redential", "powershell Get-Credential", true),
        Case("curl.*(\\||;).*sh", "curl http://x | sh", true),
    ]

    @Test(
        "matches as expected",
        arguments: literals + dot + classes + escapes + anchors + groupsAndAlternation + quantifiers + flags + sigma
    )
    func matches(_ row: Case) throws {
        let regex = try BoundedRegex(row.pattern, options: row.options)
        #expect(regex.matches(in: row.input) == row.expected)
        #expect(regex.matches(utf8: Array(row.input.utf8)) == row.expected)
        #expect(regex.searchStatistics(utf8: Array(row.input.utf8)).matched == row.expected)
    }

    @Test("Substring and UTF-8 views give the same answer as String")
    func views() throws {
        let regex = try BoundedRegex("b+c$")
        let text = "xxabbc"
        #expect(regex.matches(in: text.dropFirst(2)))
        #expect(regex.matches(utf8: text.utf8))
        #expect(!regex.matches(in: text.dropLast()))
    }

    @Test("Invalid UTF-8 reads as U+FFFD and never traps")
    func invalidUTF8() throws {
        let dot = try BoundedRegex("^a.b$")
        #expect(dot.matches(utf8: [0x61, 0xFF, 0x62]))
        #expect(dot.matches(utf8: [0x61, 0xE2, 0x82, 0x62]))
        #expect(!dot.matches(utf8: [0x61, 0xC3, 0xFF, 0x62]))
        let replacement = try BoundedRegex("\\x{FFFD}")
        #expect(replacement.matches(utf8: [0x80]))
        #expect(replacement.matches(utf8: [0xF0, 0x9F, 0x98]))
        #expect(!replacement.matches(utf8: [0xF0, 0x9F, 0x98, 0x80]))
        let truncated = try BoundedRegex("é")
        #expect(!truncated.matches(utf8: [0xC3]))
        #expect(truncated.matches(utf8: [0xC3, 0xC3, 0xA9]))
        let word = try BoundedRegex("\\bx")
        #expect(word.matches(utf8: [0xFF, 0x78]))
    }
}
