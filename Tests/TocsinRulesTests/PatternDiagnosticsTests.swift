// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinRules

/// Invalid patterns are rejected with the JSON path of the problem and a message that says what
/// would be valid; limits stop hostile patterns.
struct PatternDiagnosticsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let pattern: String
        let code: PatternError.Code
        let path: String
        let message: String
        var testDescription: String { pattern }
    }

    static let cases: [Case] = [
        Case(pattern: #"{"a":[1]"#, code: .syntax, path: "$", message: "byte 8"),
        Case(pattern: #"{"a":["x"]} trailing"#, code: .syntax, path: "$", message: "byte 12"),
        Case(pattern: #"["a"]"#, code: .notAnObject, path: "$", message: "must be a JSON object"),
        Case(pattern: #"{}"#, code: .emptyObject, path: "$", message: "empty objects are not allowed"),
        Case(pattern: #"{"detail":{}}"#, code: .emptyObject, path: "$.detail", message: "empty objects"),
        Case(pattern: #"{"a":[]}"#, code: .emptyArray, path: "$.a", message: "exists"),
        Case(pattern: #"{"a":"x"}"#, code: .invalidFieldValue, path: "$.a", message: "not to a string"),
        Case(pattern: #"{"a":[["x"]]}"#, code: .invalidMatchValue, path: "$.a[0]", message: "not arrays"),
        Case(pattern: #"{"a":[{}]}"#, code: .invalidMatchValue, path: "$.a[0]", message: "exactly one operator"),
        Case(
            pattern: #"{"a":[{"prefix":"x","suffix":"y"}]}"#,
            code: .unknownOperator,
            path: "$.a[0]",
            message: "only one operator"
        ),
        Case(
            pattern: #"{"a":[{"contains":"x"}]}"#,
            code: .unknownOperator,
            path: "$.a[0].contains",
            message: "unrecognized operator"
        ),
        Case(
            pattern: #"{"a":[{"prefix":5}]}"#,
            code: .invalidOperand,
            path: "$.a[0].prefix",
            message: "must be a string, not number"
        ),
        Case(
            pattern: #"{"a":[{"prefix":{"wildcard":"x"}}]}"#,
            code: .invalidOperand,
            path: "$.a[0].prefix",
            message: "equals-ignore-case"
        ),
        Case(
            pattern: #"{"a":[{"wildcard":"a**b"}]}"#,
            code: .invalidWildcard,
            path: "$.a[0].wildcard",
            message: "'**' is not allowed"
        ),
        Case(
            pattern: #"{"a":[{"wildcard":"a\\b"}]}"#,
            code: .invalidWildcard,
            path: "$.a[0].wildcard",
            message: "invalid escape at position 1"
        ),
        Case(
            pattern: #"{"a":[{"exists":"true"}]}"#,
            code: .invalidOperand,
            path: "$.a[0].exists",
            message: "true or false"
        ),
        Case(
            pattern: #"{"a":[{"numeric":["<",5,">",1]}]}"#,
            code: .invalidNumeric,
            path: "$.a[0].numeric",
            message: "lower bound must come first"
        ),
        Case(
            pattern: #"{"a":[{"numeric":[">=",5,"<=",5]}]}"#,
            code: .invalidNumeric,
            path: "$.a[0].numeric",
            message: "less than the upper bound"
        ),
        Case(
            pattern: #"{"a":[{"numeric":[">","5"]}]}"#,
            code: .invalidNumeric,
            path: "$.a[0].numeric[1]",
            message: "must be a JSON number"
        ),
        Case(
            pattern: #"{"a":[{"numeric":["!=",5]}]}"#,
            code: .invalidNumeric,
            path: "$.a[0].numeric[0]",
            message: "=, <, <=, > or >="
        ),
        Case(
            pattern: #"{"a":[{"numeric":["=",1.0000000000000001]}]}"#,
            code: .invalidNumeric,
            path: "$.a[0].numeric[1]",
            message: "float64"
        ),
        Case(
            pattern: #"{"a":[{"cidr":"10.0.0.1/32"}]}"#,
            code: .invalidCIDR,
            path: "$.a[0].cidr",
            message: "at most 31"
        ),
        Case(
            pattern: #"{"a":[{"cidr":"10.0.0.0"}]}"#,
            code: .invalidCIDR,
            path: "$.a[0].cidr",
            message: "exactly one '/'"
        ),
        Case(
            pattern: #"{"a":[{"cidr":"::ffff:10.0.0.0/104"}]}"#,
            code: .invalidCIDR,
            path: "$.a[0].cidr",
            message: "IPv6 literal"
        ),
        Case(
            pattern: #"{"a":[{"cidr":"10.0.0.0/08"}]}"#,
            code: .invalidCIDR,
            path: "$.a[0].cidr",
            message: "leading zeros"
        ),
        Case(
            pattern: #"{"a":[{"anything-but":["x",1]}]}"#,
            code: .invalidAnythingBut,
            path: "$.a[0].anything-but",
            message: "only strings or only numbers"
        ),
        Case(
            pattern: #"{"a":[{"anything-but":{"prefix":""}}]}"#,
            code: .invalidAnythingBut,
            path: "$.a[0].anything-but.prefix",
            message: "cannot be empty"
        ),
        Case(
            pattern: #"{"a":[{"anything-but":{"numeric":[">",1]}}]}"#,
            code: .invalidAnythingBut,
            path: "$.a[0].anything-but.numeric",
            message: "can only nest"
        ),
        Case(pattern: #"{"$or":[{"a":["1"]}]}"#, code: .invalidOr, path: "$.$or", message: "at least two"),
        Case(
            pattern: #"{"$or":[{"a":["1"]},{"prefix":["x"]}]}"#,
            code: .invalidOr,
            path: "$.$or[1]",
            message: "'prefix' is an operator name"
        ),
        Case(
            pattern: #"{"odd key":{"a b":[{"prefix":1}]}}"#,
            code: .invalidOperand,
            path: #"$["odd key"]["a b"][0].prefix"#,
            message: "must be a string"
        ),
    ]

    @Test(arguments: cases)
    func rejected(_ testCase: Case) {
        #expect {
            try EventPattern(text: testCase.pattern)
        } throws: { error in
            guard let error = error as? PatternError else {
                return false
            }
            return error.code == testCase.code && error.path == testCase.path
                && error.message.contains(testCase.message)
        }
    }

    @Test func surprisingButValid() throws {
        for text in [
            #"{"a":[{"prefix":""}]}"#, #"{"a":[{"suffix":""}]}"#, #"{"a":[{"equals-ignore-case":""}]}"#,
            #"{"a":[{"wildcard":""}]}"#, #"{"a":[{"anything-but":""}]}"#, #"{"a":[{"exists":true},{"exists":false}]}"#,
            #"{"a":[{"numeric":[">",1e300]}]}"#, #"{"$or":{"m":["CPU"]}}"#,
        ] {
            _ = try EventPattern(text: text)
        }
    }

    @Test func orExpansionIsLimited() throws {
        let group =
            #"[{"a":["1"]},{"b":["2"]},{"c":["3"]},{"d":["4"]},{"e":["5"]},{"f":["6"]},{"g":["7"]},{"h":["8"]},{"i":["9"]},{"j":["0"]}]"#
        let three = try EventPattern(text: #"{"x":{"$or":\#(group)},"y":{"$or":\#(group)},"z":{"$or":\#(group)}}"#)
        #expect(three.combinationCount == 1000)
        #expect(throws: PatternError.self) {
            try EventPattern(
                text:
                    #"{"x":{"$or":\#(group)},"y":{"$or":\#(group)},"z":{"$or":\#(group)},"w":{"$or":[{"a":["1"]},{"b":["2"]}]}}"#
            )
        }
    }

    @Test func hostileSizesAreLimited() {
        let deep = String(repeating: #"{"a":"#, count: 40) + #"["x"]"# + String(repeating: "}", count: 40)
        let many = #"{"a":["# + (0..<1001).map { "\"v\($0)\"" }.joined(separator: ",") + "]}"
        let stars = #"{"a":[{"wildcard":"a*b*c*d*e*f*g*h*i*j"}]}"#
        let huge = #"{"a":[""# + String(repeating: "x", count: 70_000) + #""]}"#
        for text in [deep, many, stars, huge] {
            #expect {
                try EventPattern(text: text)
            } throws: { error in
                (error as? PatternError)?.code == .limitExceeded
            }
        }
    }
}
