// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// The web console in a real headless Chromium against a real server on loopback: log in, watch an
/// event arrive live, open it, acknowledge an incident, redrive a dead letter, check that a reader
/// can do neither, and log out.
///
/// With `TOCSIN_SCREENSHOTS=DIR` set (scripts/screenshots.sh), it also saves a PNG of each page.
@Suite(.serialized)
struct ConsoleBrowserTests {
    @Test("log in, live events, detail, incident, redrive, reader refused, log out")
    func consoleFlows() async throws {
        let receiver = try await TestReceiver.start(.status(503))
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        defer { Task { _ = await server.terminate() } }
        try await server.define(
            "target",
            "cases",
            #"{"kind":"incident","key_path":"$.data.user","title_path":"$.data.summary","severity":"high"}"#
        )
        try await server.define(
            "rule",
            "ssh",
            #"{"pattern":{"type":["ssh.login.failed"]},"targets":[{"target":"cases"}]}"#
        )
        try await server.define(
            "target",
            "pager",
            #"{"kind":"webhook","url":"\#(receiver.url)","retry":{"max_attempts":1},"circuit_breaker":{"failure_threshold":100}}"#
        )
        try await server.define("rule", "pages", #"{"pattern":{"type":["disk.full"]},"targets":[{"target":"pager"}]}"#)
        let created = try await runTocsin(
            [
                "keys", "create", "viewer", "--role", "reader", "--server", server.baseURL, "--data-dir",
                server.dataDirectory,
            ]
        )
        let readerKey = try #require(
            created.output.split(separator: "\n").first { $0.hasPrefix("key: ") }.map { String($0.dropFirst(5)) },
            "\(created.errors)"
        )
        _ = try await server.publish(type: "ssh.login.failed", ids: ["s1"]) { _ in
            #"{"user":"root","summary":"failed <b>root</b> login"}"#
        }
        let deadSequence = try #require(try await server.publish(type: "disk.full", ids: ["d1"]).first)
        let letters = try await server.eventually({ try await server.deadLetters() }) { $0.count == 1 }
        let letterID = try #require(letters.first?.integer("id"))
        let incidents = try await server.eventually({
            try await call(server.baseURL + "/v1/incidents", headers: [server.authorization]).json?["incidents"]?
                .items ?? []
        }) { $0.count == 1 }
        let incidentID = try #require(incidents.first?.integer("id"))

        let browser = try await WebDriver.start()
        do {
            let shots = Screenshots(browser: browser)
            try await login(browser, server: server, key: server.adminKey, shots: shots)
            try await liveEvent(browser, server: server, shots: shots)
            try await acknowledge(browser, server: server, incident: incidentID, shots: shots)
            try await shots.visit("\(server.baseURL)/ui/rules", as: "rules", waitFor: "table.rules")
            try await shots.visit("\(server.baseURL)/ui/charts", as: "charts", waitFor: "main h1")
            try await shots.visit("\(server.baseURL)/ui/audit", as: "audit", waitFor: "#audit-head")
            try await logout(browser, server: server)

            try await login(browser, server: server, key: readerKey, shots: nil)
            try await readerCannotRedrive(browser, server: server, letter: letterID)
            try await logout(browser, server: server)

            try await login(browser, server: server, key: server.adminKey, shots: nil)
            try await redrive(browser, server: server, letter: letterID, event: deadSequence, shots: shots)
            try await logout(browser, server: server)
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
    }

    private func login(_ browser: WebDriver, server: ServerProcess, key: String, shots: Screenshots?) async throws {
        try await browser.open(server.baseURL + "/ui")
        let field = try await browser.waitFor("#key")
        try await shots?.save("login")
        try await browser.type(key, into: field)
        try await browser.click(try await browser.waitFor("#login"))
        _ = try await browser.waitFor("#event-rows")
        #expect(try await browser.currentURL().hasSuffix("/ui/events"))
    }

    /// Publishes an event after the page has loaded and waits for its row, with no reload between.
    private func liveEvent(_ browser: WebDriver, server: ServerProcess, shots: Screenshots) async throws {
        try await browser.waitUntil("the live stream connects") {
            try await browser.find("#live-status.connected") != nil
        }
        try await browser.execute("window.tocsinNoReload = 'still here';")
        let sequence = try #require(
            try await server.publish(type: "console.live", ids: ["live-1"]) { _ in #"{"note":"<img src=x>"}"# }.first
        )
        let row = try await browser.waitFor("#event-rows tr[data-seq='\(sequence)']")
        #expect(try await browser.text(row).contains("console.live"))
        #expect(try await browser.execute("return window.tocsinNoReload;") == .string("still here"))
        try await shots.save("events")
        try await browser.click(try await browser.waitFor("#event-rows tr[data-seq='\(sequence)'] a"))
        let type = try await browser.waitFor("#event-type")
        #expect(try await browser.text(type) == "console.live")
        #expect(try await browser.text(try await browser.waitFor("#event-seq")) == String(sequence))
        #expect(try await browser.text(try await browser.waitFor("#event-hash")).count == 64)
        #expect(try await browser.find("#event-document img") == nil, "event values are text, not markup")
        try await shots.save("event")
    }

    private func acknowledge(
        _ browser: WebDriver,
        server: ServerProcess,
        incident: Int64,
        shots: Screenshots
    ) async throws {
        try await browser.open(server.baseURL + "/ui/incidents")
        let button = try await browser.waitFor("#incident-\(incident) button.acknowledge")
        try await shots.save("incidents")
        try await browser.click(button)
        _ = try await browser.waitFor("#notice")
        let status = try await browser.waitFor("#incident-\(incident) td.status")
        #expect(try await browser.text(status) == "acknowledged")
        let detail = try await call("\(server.baseURL)/v1/incidents/\(incident)", headers: [server.authorization]).json
        #expect(
            detail?["status"] == .string("acknowledged") || detail?["incident"]?["status"] == .string("acknowledged")
        )
    }

    private func readerCannotRedrive(_ browser: WebDriver, server: ServerProcess, letter: Int64) async throws {
        try await browser.open(server.baseURL + "/ui/targets")
        _ = try await browser.waitFor("#dead-letter-\(letter)")
        #expect(try await browser.findAll("button.redrive").isEmpty)
        #expect(try await browser.find("#redrive-all") == nil)
        let forged = try await browser.execute(
            """
            const done = arguments[arguments.length - 1];
            const csrf = document.querySelector("input[name=csrf]").value;
            fetch("/ui/dlq/redrive", {method: "POST", headers: {"content-type": "application/x-www-form-urlencoded"},
              body: "csrf=" + encodeURIComponent(csrf) + "&ids=\(letter)", redirect: "manual"})
              .then(r => done(r.status), e => done(String(e)));
            """,
            asynchronous: true
        )
        #expect(forged == .number(JSONNumber(403)))
        let still = try await server.deadLetters()
        #expect(still.first?.integer("redrives") == 0, "the refused redrive changed nothing")
    }

    private func redrive(
        _ browser: WebDriver,
        server: ServerProcess,
        letter: Int64,
        event: Int64,
        shots: Screenshots
    ) async throws {
        try await browser.open(server.baseURL + "/ui/targets")
        let button = try await browser.waitFor("#dead-letter-\(letter) button.redrive")
        try await shots.save("targets")
        try await browser.click(button)
        _ = try await browser.waitFor("#notice")
        let deliveries = try await server.eventually({ try await server.deliveries(event: event) }) {
            $0.first?.integer("redrives") == 1
        }
        #expect(deliveries.first?.integer("redrives") == 1)
    }

    private func logout(_ browser: WebDriver, server: ServerProcess) async throws {
        let cookie = try await browser.execute("return document.cookie;")
        #expect(cookie == .string(""), "the session cookie is HttpOnly")
        try await browser.click(try await browser.waitFor("#logout"))
        _ = try await browser.waitFor("#key")
        try await browser.open(server.baseURL + "/ui/incidents")
        _ = try await browser.waitFor("#key")
        #expect(try await browser.currentURL().hasSuffix("/ui/login"))
    }
}

/// Saves a PNG of a page into `TOCSIN_SCREENSHOTS` when that is set.
private struct Screenshots {
    let browser: WebDriver
    let directory = ProcessInfo.processInfo.environment["TOCSIN_SCREENSHOTS"]

    func save(_ name: String) async throws {
        guard let directory else {
            return
        }
        try await browser.screenshot().write(to: URL(fileURLWithPath: "\(directory)/\(name).png"))
    }

    /// Opens a page, waits for it, and saves it.
    func visit(_ url: String, as name: String, waitFor selector: String) async throws {
        try await browser.open(url)
        _ = try await browser.waitFor(selector)
        try await save(name)
    }
}

extension JSONValue {
    fileprivate var items: [JSONValue] {
        if case .array(let items) = self {
            return items
        }
        return []
    }
}
