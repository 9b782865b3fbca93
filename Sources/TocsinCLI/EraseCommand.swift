// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import NIOHTTP1
import TocsinCore

/// `tocsin erase --subject S`: crypto-shreds one data subject (docs/erasure.md).
struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a data subject's personal fields by destroying their key (needs an admin key).",
        discussion: """
            Fields declared personal in the --personal-data file of 'tocsin serve' are sealed at ingest \
            with a key per data subject. Erasing the subject destroys that key: every sealed field about \
            them, in the live log and in archives, reads as "[erased]" from then on, while the hash chain \
            still verifies ('tocsin audit verify'). The log records a tocsin.subject.erased event that \
            names the subject's key id, never the subject. Erasing a subject again changes nothing.

            Give the subject exactly as the personal-data file's subject path finds it in events \
            (for example the user name or e-mail address). Erasure cannot be undone.
            """
    )

    @OptionGroup var client: ClientOptions
    @Option(help: "The data subject to erase, as events name them (for example alice@example.com).")
    var subject: String
    @Option(help: "Output format: text or json.") var output: OutputFormat = .text

    func validate() throws {
        guard !subject.isEmpty else {
            throw ValidationError("--subject must not be empty")
        }
    }

    func run() async throws {
        let api = try client.makeClient()
        let body = JSONValue.object(JSONObject([.init(name: "subject", value: .string(subject))]))
        let receipt = try await call { try await api.send(api.makeRequest("/v1/erasures", method: .POST, json: body)) }
        switch output {
        case .json:
            print(JSONWriter().string(receipt))
        case .text:
            let keyID = receipt["key_id"]?.stringValue ?? "?"
            let state = receipt["already_erased"] == .bool(true) ? "already erased" : "erased"
            print(
                "\(state): key \(keyID) (tocsin.subject.erased at seq \(receipt["seq"].map(JSONWriter().string) ?? "?"))"
            )
        }
    }
}
