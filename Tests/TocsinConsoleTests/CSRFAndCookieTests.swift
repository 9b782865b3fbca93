// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import TocsinConsole

struct CSRFAndCookieTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let form: String?
        let origin: String?
        let host: String?
        let expected: CSRFCheck.Verdict
        var testDescription: String { name }
    }

    static let token = String(repeating: "ab", count: 32)

    @Test(
        "form posts are allowed only with the session's token from this origin",
        arguments: [
            Case(name: "right token, no origin", form: token, origin: nil, host: "h:8080", expected: .allowed),
            Case(
                name: "right token, same origin",
                form: token,
                origin: "http://h:8080",
                host: "h:8080",
                expected: .allowed
            ),
            Case(name: "no token", form: nil, origin: nil, host: "h:8080", expected: .missingToken),
            Case(name: "empty token", form: "", origin: nil, host: "h:8080", expected: .missingToken),
            Case(
                name: "wrong token",
                form: String(repeating: "ab", count: 31) + "ac",
                origin: nil,
                host: "h",
                expected: .wrongToken
            ),
            Case(name: "short token", form: "ab", origin: nil, host: "h", expected: .wrongToken),
            Case(
                name: "foreign origin",
                form: token,
                origin: "https://evil.example",
                host: "h:8080",
                expected: .foreignOrigin
            ),
            Case(name: "other port", form: token, origin: "http://h:9090", host: "h:8080", expected: .foreignOrigin),
            Case(
                name: "origin without host",
                form: token,
                origin: "http://h:8080",
                host: nil,
                expected: .foreignOrigin
            ),
        ]
    )
    func verdicts(_ check: Case) {
        #expect(
            CSRFCheck.verify(sessionToken: Self.token, formToken: check.form, origin: check.origin, host: check.host)
                == check.expected
        )
    }

    @Test("the session cookie is HttpOnly, SameSite=Strict, scoped to /ui, and Secure under TLS")
    func cookieAttributes() {
        let plain = SessionCookie.set(id: "abc", maxAgeSeconds: 60, secure: false)
        #expect(plain == "tocsin_session=abc; Path=/ui; Max-Age=60; HttpOnly; SameSite=Strict")
        let secure = SessionCookie.set(id: "abc", maxAgeSeconds: 60, secure: true)
        #expect(secure.hasSuffix("; Secure"))
        #expect(SessionCookie.clear(secure: false).contains("Max-Age=0"))
    }

    @Test(
        "the session id is read from a Cookie header",
        arguments: [
            ("tocsin_session=abc", "abc"),
            ("a=1; tocsin_session=abc; b=2", "abc"),
            ("tocsin_session=", nil),
            ("other_session=abc", nil),
            ("xtocsin_session=abc", nil),
        ] as [(String, String?)]
    )
    func cookieParsing(_ header: String, _ expected: String?) {
        #expect(SessionCookie.id(inCookieHeader: header) == expected)
    }

    @Test("form bodies decode percent escapes and plus signs, and encode back")
    func forms() {
        let fields = FormFields("csrf=a%2Bb&assignee=on+call&empty=&csrf=second&bad=%zz")
        #expect(fields["csrf"] == "a+b")
        #expect(fields["assignee"] == "on call")
        #expect(fields["empty"] == "")
        #expect(fields["bad"] == nil)
        #expect(fields["missing"] == nil)
        let encoded = FormFields.encode([("pattern", "{\"source\": [\"/a b\"]}")])
        #expect(encoded == "pattern=%7B%22source%22%3A%20%5B%22%2Fa%20b%22%5D%7D")
        #expect(FormFields(encoded)["pattern"] == "{\"source\": [\"/a b\"]}")
    }
}
