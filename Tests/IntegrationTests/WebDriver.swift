// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import NIOHTTP1
import TocsinCore
import TocsinTesting

#if canImport(Glibc)
import Glibc
#endif

/// A headless Chromium driven over the W3C WebDriver HTTP protocol through Debian's `chromedriver`
/// (installed by scripts/ensure-deps.sh).
///
/// Every wait polls the page with a deadline; nothing sleeps and then asserts.
final class WebDriver: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A page element, by its WebDriver id.
    struct Element: Sendable {
        let id: String
    }

    private static let elementKey = "element-6066-11e4-a52e-4f735466cecf"
    private let driver: Process
    private let base: String
    private let session: String

    private init(driver: Process, base: String, session: String) {
        self.driver = driver
        self.base = base
        self.session = session
    }

    /// Starts `chromedriver` on a free loopback port and opens a headless browser session.
    static func start(windowWidth: Int = 1280, windowHeight: Int = 900) async throws -> WebDriver {
        let port = try freePort()
        let driver = Process()
        driver.executableURL = URL(fileURLWithPath: try executable("chromedriver"))
        driver.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(driver)
        let base = "http://127.0.0.1:\(port)"
        let ready = try await eventually(timeout: .seconds(20)) {
            (try? await call(base + "/status").json?["value"]?["ready"]) ?? nil
        } until: {
            $0 == .bool(true)
        }
        guard ready == .bool(true) else {
            kill(driver.processIdentifier, SIGKILL)
            throw Failure(description: "chromedriver did not become ready on port \(port)")
        }
        let arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=\(windowWidth),\(windowHeight)",
        ]
        let capabilities =
            #"{"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"binary":"\#(try executable("chromium"))","args":[\#(arguments.map { "\"\($0)\"" }.joined(separator: ","))]}}}}"#
        let answer = try await call(
            base + "/session",
            method: .POST,
            body: Array(capabilities.utf8),
            timeout: .seconds(60)
        )
        guard let session = answer.json?["value"]?["sessionId"]?.stringValue else {
            kill(driver.processIdentifier, SIGKILL)
            throw Failure(description: "no WebDriver session: \(String(decoding: answer.body, as: UTF8.self))")
        }
        return WebDriver(driver: driver, base: base, session: session)
    }

    /// Closes the browser and stops the driver.
    func quit() async {
        _ = try? await call("\(base)/session/\(session)", method: .DELETE)
        // chromedriver ignores SIGTERM; its browser is already closed by the DELETE above.
        kill(driver.processIdentifier, SIGKILL)
        _ = await driver.exit(within: .seconds(60))
    }

    /// Opens `url`.
    func open(_ url: String) async throws {
        try await command(.POST, "url", #"{"url":\#(Self.quote(url))}"#)
    }

    /// The address of the page shown.
    func currentURL() async throws -> String {
        try await command(.GET, "url")?.stringValue ?? ""
    }

    /// The first element matching the CSS `selector`, or `nil`.
    func find(_ selector: String) async throws -> Element? {
        try await findAll(selector).first
    }

    /// Every element matching the CSS `selector`.
    func findAll(_ selector: String) async throws -> [Element] {
        let value = try await command(.POST, "elements", #"{"using":"css selector","value":\#(Self.quote(selector))}"#)
        guard case .array(let items)? = value else {
            return []
        }
        return items.compactMap { $0[Self.elementKey]?.stringValue }.map(Element.init)
    }

    /// Waits until an element matches `selector`.
    func waitFor(_ selector: String, timeout: Duration = .seconds(20)) async throws -> Element {
        let found = try await eventually(timeout: timeout) {
            try await self.find(selector)
        } until: {
            $0 != nil
        }
        guard let found else {
            throw Failure(description: "no element matched \(selector) within \(timeout) on \(try await currentURL())")
        }
        return found
    }

    /// Waits until `probe` holds for the page, polling.
    func waitUntil(
        _ what: String,
        timeout: Duration = .seconds(20),
        _ probe: @escaping () async throws -> Bool
    ) async throws {
        guard try await eventually(timeout: timeout, probe, until: { $0 }) else {
            throw Failure(description: "timed out waiting until \(what) on \(try await currentURL())")
        }
    }

    /// Clicks `element`.
    func click(_ element: Element) async throws {
        try await command(.POST, "element/\(element.id)/click", "{}")
    }

    /// Types `text` into `element`.
    func type(_ text: String, into element: Element) async throws {
        try await command(.POST, "element/\(element.id)/value", #"{"text":\#(Self.quote(text))}"#)
    }

    /// The visible text of `element`.
    func text(_ element: Element) async throws -> String {
        try await command(.GET, "element/\(element.id)/text")?.stringValue ?? ""
    }

    /// Runs `script` in the page (WebDriver scripts are not subject to the page's CSP) and returns its value.
    @discardableResult
    func execute(_ script: String, asynchronous: Bool = false) async throws -> JSONValue? {
        let body = #"{"script":\#(Self.quote(script)),"args":[]}"#
        return try await command(.POST, asynchronous ? "execute/async" : "execute/sync", body)
    }

    /// A PNG of the viewport.
    func screenshot() async throws -> Data {
        guard let text = try await command(.GET, "screenshot")?.stringValue, let data = Data(base64Encoded: text) else {
            throw Failure(description: "the screenshot was not base64")
        }
        return data
    }

    @discardableResult
    private func command(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> JSONValue? {
        let answer = try await call(
            "\(base)/session/\(session)/\(path)",
            method: method,
            headers: [("content-type", "application/json")],
            body: body.map { Array($0.utf8) },
            timeout: .seconds(60)
        )
        guard answer.status == 200 else {
            throw Failure(
                description: "WebDriver \(path): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))"
            )
        }
        return answer.json?["value"]
    }

    private static func quote(_ text: String) -> String {
        JSONWriter().string(.string(text))
    }

    private static func executable(_ name: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin", "/usr/lib/chromium"] {
            let path = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) {
                return path
            }
        }
        throw Failure(
            description: "\(name) is not installed; run scripts/ensure-deps.sh (Debian: chromium, chromium-driver)"
        )
    }

    /// A loopback port nothing listens on now (the kernel picks it; the driver binds it right after).
    private static func freePort() throws -> Int {
        try RefusingPort().port
    }
}
