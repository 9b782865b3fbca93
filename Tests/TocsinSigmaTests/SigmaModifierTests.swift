// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSigma

/// Every modifier, on records chosen so that each case would flip if the modifier were ignored.
struct SigmaModifierTests {
    static let cases: [SigmaCase] = [
        // Plain values: case-insensitive, anchored globs.
        SigmaCase("plain equality ignores case", "s:\n  a: StopLogging\ncondition: s", #"{"a":"stoplogging"}"#, true),
        SigmaCase("plain equality is anchored", "s:\n  a: Stop\ncondition: s", #"{"a":"StopLogging"}"#, false),
        SigmaCase("a list is OR-ed", "s:\n  a: [x, y]\ncondition: s", #"{"a":"y"}"#, true),
        SigmaCase("empty string matches only empty", "s:\n  a: ''\ncondition: s", #"{"a":" "}"#, false),
        SigmaCase("empty string matches empty", "s:\n  a: ''\ncondition: s", #"{"a":""}"#, true),
        SigmaCase("map entries are AND-ed", "s:\n  a: x\n  b: y\ncondition: s", #"{"a":"x","b":"z"}"#, false),
        SigmaCase("list of maps is OR-ed", "s:\n  - a: x\n  - b: y\ncondition: s", #"{"a":"q","b":"y"}"#, true),
        // contains / startswith / endswith.
        SigmaCase("contains", "s:\n  a|contains: Log\ncondition: s", #"{"a":"StopLOGging"}"#, true),
        SigmaCase("contains misses", "s:\n  a|contains: Logs\ncondition: s", #"{"a":"StopLogging"}"#, false),
        SigmaCase(
            "a star inside contains is a wildcard",
            "s:\n  a|contains: '\"Action\":\"*\"'\ncondition: s",
            #"{"a":"{\"Action\":\"s3:*\"}"}"#,
            true
        ),
        SigmaCase("startswith", "s:\n  a|startswith: stop\ncondition: s", #"{"a":"StopLogging"}"#, true),
        SigmaCase(
            "startswith is anchored",
            "s:\n  a|startswith: Logging\ncondition: s",
            #"{"a":"StopLogging"}"#,
            false
        ),
        SigmaCase("endswith", "s:\n  a|endswith: LOGGING\ncondition: s", #"{"a":"StopLogging"}"#, true),
        SigmaCase("endswith is anchored", "s:\n  a|endswith: Stop\ncondition: s", #"{"a":"StopLogging"}"#, false),
        SigmaCase("? is exactly one character", "s:\n  a: 'ab?d'\ncondition: s", #"{"a":"abcd"}"#, true),
        SigmaCase("? is not zero characters", "s:\n  a: 'ab?d'\ncondition: s", #"{"a":"abd"}"#, false),
        SigmaCase("? is one multi-byte character", "s:\n  a: 'caf?'\ncondition: s", #"{"a":"café"}"#, true),
        // all.
        SigmaCase("all needs every value", "s:\n  a|contains|all: [x, y]\ncondition: s", #"{"a":"x--y"}"#, true),
        SigmaCase(
            "all fails when one is missing",
            "s:\n  a|contains|all: [x, y]\ncondition: s",
            #"{"a":"x--z"}"#,
            false
        ),
        SigmaCase("all across array elements", "s:\n  a|all: [x, y]\ncondition: s", #"{"a":["y","x"]}"#, true),
        // cased.
        SigmaCase("cased is case-sensitive", "s:\n  a|cased: Stop\ncondition: s", #"{"a":"stop"}"#, false),
        SigmaCase(
            "cased matches the exact case",
            "s:\n  a|contains|cased: Stop\ncondition: s",
            #"{"a":"xStopx"}"#,
            true
        ),
        // neq.
        SigmaCase("neq: present and different", "s:\n  a|neq: x\ncondition: s", #"{"a":"y"}"#, true),
        SigmaCase("neq: equal fails", "s:\n  a|neq: x\ncondition: s", #"{"a":"X"}"#, false),
        SigmaCase("neq: absent fails", "s:\n  a|neq: x\ncondition: s", #"{"b":"y"}"#, false),
        // exists.
        SigmaCase("exists true on a present field", "s:\n  a|exists: true\ncondition: s", #"{"a":""}"#, true),
        SigmaCase("exists true on an explicit null", "s:\n  a|exists: true\ncondition: s", #"{"a":null}"#, true),
        SigmaCase("exists false on an absent field", "s:\n  a|exists: false\ncondition: s", #"{"b":1}"#, true),
        SigmaCase("exists false on a present field", "s:\n  a|exists: false\ncondition: s", #"{"a":1}"#, false),
        // windash.
        SigmaCase(
            "windash: slash for dash",
            "s:\n  a|windash|contains: ' -exec'\ncondition: s",
            #"{"a":"x /exec"}"#,
            true
        ),
        SigmaCase(
            "windash: en dash",
            "s:\n  a|windash|contains: ' -exec'\ncondition: s",
            #"{"a":"x \u2013exec"}"#,
            true
        ),
        SigmaCase(
            "windash: em dash and horizontal bar",
            "s:\n  a|windash: '-a -b'\ncondition: s",
            #"{"a":"\u2014a \u2015b"}"#,
            true
        ),
        SigmaCase(
            "windash: a dash inside a word is kept",
            "s:\n  a|windash: 'x-y'\ncondition: s",
            #"{"a":"x/y"}"#,
            false
        ),
        SigmaCase(
            "windash: other characters do not match",
            "s:\n  a|windash: '-exec'\ncondition: s",
            #"{"a":"+exec"}"#,
            false
        ),
        // re.
        SigmaCase("re is an unanchored search", "s:\n  a|re: 'b+c'\ncondition: s", #"{"a":"abbbcd"}"#, true),
        SigmaCase("re is case-sensitive", "s:\n  a|re: 'ABC'\ncondition: s", #"{"a":"abc"}"#, false),
        SigmaCase("re|i ignores case", "s:\n  a|re|i: 'ABC'\ncondition: s", #"{"a":"xabc"}"#, true),
        SigmaCase("re|ignorecase alias", "s:\n  a|re|ignorecase: 'ABC'\ncondition: s", #"{"a":"abc"}"#, true),
        SigmaCase("re anchors to the text", "s:\n  a|re: '^b$'\ncondition: s", #"{"a":"a\nb"}"#, false),
        SigmaCase("re|m anchors to lines", "s:\n  a|re|m: '^b$'\ncondition: s", #"{"a":"a\nb"}"#, true),
        SigmaCase("re|multiline alias", "s:\n  a|re|multiline: '^b$'\ncondition: s", #"{"a":"a\nb"}"#, true),
        SigmaCase("re dot does not match a newline", "s:\n  a|re: 'a.b'\ncondition: s", #"{"a":"a\nb"}"#, false),
        SigmaCase("re|s dot matches a newline", "s:\n  a|re|s: 'a.b'\ncondition: s", #"{"a":"a\nb"}"#, true),
        SigmaCase("re|dotall alias", "s:\n  a|re|dotall: 'a.b'\ncondition: s", #"{"a":"a\nb"}"#, true),
        // base64 / base64offset.
        SigmaCase("base64", "s:\n  a|base64: 'hello'\ncondition: s", #"{"a":"aGVsbG8="}"#, true),
        SigmaCase("base64|contains", "s:\n  a|base64|contains: 'hello'\ncondition: s", #"{"a":"xxaGVsbG8=xx"}"#, true),
        SigmaCase(
            "base64offset at offset 0",
            "s:\n  a|base64offset|contains: 'hello'\ncondition: s",
            #"{"a":"aGVsbG8gd29ybGQ="}"#,
            true
        ),
        SigmaCase(
            "base64offset at offset 1",
            "s:\n  a|base64offset|contains: 'hello'\ncondition: s",
            #"{"a":"eGhlbGxvIHdvcmxk"}"#,
            true
        ),
        SigmaCase(
            "base64offset at offset 2",
            "s:\n  a|base64offset|contains: 'hello'\ncondition: s",
            #"{"a":"eHhoZWxsbyB3b3JsZA=="}"#,
            true
        ),
        SigmaCase(
            "base64offset misses other text",
            "s:\n  a|base64offset|contains: 'hello'\ncondition: s",
            #"{"a":"d29ybGQ="}"#,
            false
        ),
        // utf16.
        SigmaCase("wide|base64", "s:\n  a|wide|base64: 'ab'\ncondition: s", #"{"a":"YQBiAA=="}"#, true),
        SigmaCase("utf16le|base64", "s:\n  a|utf16le|base64: 'ab'\ncondition: s", #"{"a":"YQBiAA=="}"#, true),
        SigmaCase("utf16be|base64", "s:\n  a|utf16be|base64: 'ab'\ncondition: s", #"{"a":"AGEAYg=="}"#, true),
        SigmaCase("utf16 (BOM)|base64", "s:\n  a|utf16|base64: 'ab'\ncondition: s", #"{"a":"//5hAGIA"}"#, true),
        SigmaCase(
            "wide|base64offset|contains",
            "s:\n  a|wide|base64offset|contains: 'ab'\ncondition: s",
            #"{"a":"xxYQBiAAxx"}"#,
            true
        ),
        // cidr.
        SigmaCase("cidr v4 inside", "s:\n  a|cidr: 10.0.0.0/8\ncondition: s", #"{"a":"10.1.2.3"}"#, true),
        SigmaCase("cidr v4 outside", "s:\n  a|cidr: 10.0.0.0/8\ncondition: s", #"{"a":"11.1.2.3"}"#, false),
        SigmaCase(
            "cidr is not a string prefix",
            "s:\n  a|cidr: 10.0.0.0/8\ncondition: s",
            #"{"a":"100.1.2.3"}"#,
            false
        ),
        SigmaCase("cidr v6", "s:\n  a|cidr: '2001:db8::/32'\ncondition: s", #"{"a":"2001:db8::1"}"#, true),
        SigmaCase("cidr on a non-IP value", "s:\n  a|cidr: 10.0.0.0/8\ncondition: s", #"{"a":"10.x"}"#, false),
        SigmaCase(
            "cidr list",
            "s:\n  a|cidr: [10.0.0.0/8, 192.168.0.0/16]\ncondition: s",
            #"{"a":"192.168.1.1"}"#,
            true
        ),
        // Numeric comparisons.
        SigmaCase("gt", "s:\n  a|gt: 10\ncondition: s", #"{"a":11}"#, true),
        SigmaCase("gt on equal", "s:\n  a|gt: 10\ncondition: s", #"{"a":10}"#, false),
        SigmaCase("gte on equal", "s:\n  a|gte: 10\ncondition: s", #"{"a":10}"#, true),
        SigmaCase("lt", "s:\n  a|lt: 10\ncondition: s", #"{"a":9.5}"#, true),
        SigmaCase("lte on equal", "s:\n  a|lte: 10\ncondition: s", #"{"a":10}"#, true),
        SigmaCase("lt on greater", "s:\n  a|lt: 10\ncondition: s", #"{"a":100}"#, false),
        SigmaCase("numeric compare is not text order", "s:\n  a|gt: 9\ncondition: s", #"{"a":10}"#, true),
        SigmaCase("numeric strings compare", "s:\n  a|gte: 400\ncondition: s", #"{"a":"403"}"#, true),
        SigmaCase("non-numeric is false", "s:\n  a|gt: 1\ncondition: s", #"{"a":"many"}"#, false),
        SigmaCase("not of a missing number is true", "s:\n  a|gt: 1\ncondition: not s", #"{"b":5}"#, true),
        // fieldref.
        SigmaCase("fieldref equal", "s:\n  a|fieldref: b\ncondition: s", #"{"a":"Bob","b":"bob"}"#, true),
        SigmaCase("fieldref different", "s:\n  a|fieldref: b\ncondition: s", #"{"a":"bob","b":"alice"}"#, false),
        SigmaCase("fieldref missing", "s:\n  a|fieldref: b\ncondition: s", #"{"a":"bob"}"#, false),
        SigmaCase(
            "fieldref|contains",
            "s:\n  a|fieldref|contains: b\ncondition: s",
            #"{"a":"arn:user/bob","b":"bob"}"#,
            true
        ),
        SigmaCase(
            "fieldref|startswith",
            "s:\n  a|fieldref|startswith: b\ncondition: s",
            #"{"a":"bobby","b":"bob"}"#,
            true
        ),
        SigmaCase(
            "fieldref|endswith",
            "s:\n  a|fieldref|endswith: b\ncondition: s",
            #"{"a":"bobby","b":"bob"}"#,
            false
        ),
        SigmaCase("fieldref|neq", "s:\n  a|fieldref|neq: b\ncondition: s", #"{"a":"x","b":"y"}"#, true),
        SigmaCase("fieldref|cased", "s:\n  a|fieldref|cased: b\ncondition: s", #"{"a":"Bob","b":"bob"}"#, false),
        SigmaCase(
            "fieldref to a nested path",
            "s:\n  a|fieldref: b.c\ncondition: s",
            #"{"a":"v","b":{"c":"V"}}"#,
            true
        ),
        // Type coercion.
        SigmaCase("a JSON boolean matches 'false'", "s:\n  a: 'false'\ncondition: s", #"{"a":false}"#, true),
        SigmaCase("a JSON number matches '403'", "s:\n  a: '403'\ncondition: s", #"{"a":403}"#, true),
        SigmaCase("a YAML number matches a JSON number", "s:\n  a: 403\ncondition: s", #"{"a":403}"#, true),
        SigmaCase("a YAML boolean matches a JSON boolean", "s:\n  a: true\ncondition: s", #"{"a":true}"#, true),
        SigmaCase(
            "an object is compared as compact JSON",
            "s:\n  a|contains: '\"b\":\"Suspended\"'\ncondition: s",
            #"{"a":{"b" : "Suspended"}}"#,
            true
        ),
    ]

    @Test(arguments: cases)
    func modifier(_ testCase: SigmaCase) throws {
        #expect(try SigmaTestSupport.matches(testCase.detection, testCase.record) == testCase.expected)
    }

    @Test func expandSubstitutesEveryConfiguredValue() throws {
        let options = SigmaCompileOptions(placeholders: ["Countries": ["FR", "DE"]])
        let detection = "s:\n  country|expand: '%Countries%'\ncondition: s"
        #expect(try SigmaTestSupport.matches(detection, #"{"country":"de"}"#, options: options))
        #expect(try !SigmaTestSupport.matches(detection, #"{"country":"US"}"#, options: options))
        let embedded = "s:\n  upn|expand|endswith: '@%Domain%'\ncondition: s"
        let domain = SigmaCompileOptions(placeholders: ["Domain": ["example.com"]])
        #expect(try SigmaTestSupport.matches(embedded, #"{"upn":"a@EXAMPLE.com"}"#, options: domain))
        #expect(try !SigmaTestSupport.matches(embedded, #"{"upn":"a@example.org"}"#, options: domain))
    }

    @Test func withoutExpandAPercentIsLiteral() throws {
        #expect(try SigmaTestSupport.matches("s:\n  a: '%x%'\ncondition: s", #"{"a":"%X%"}"#))
    }
}
