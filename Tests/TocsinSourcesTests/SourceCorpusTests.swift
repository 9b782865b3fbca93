// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinSources

/// Every copied sample record is parsed: each is either normalised or refused with a location, and
/// only the records known not to be events are refused.
struct SourceCorpusTests {
    static let folders: [(folder: String, format: SourceFormat)] = [
        ("cloudtrail", .cloudtrail), ("vpcflow", .vpcflow), ("guardduty", .guardduty), ("k8s-audit", .k8sAudit),
        ("gcp-audit", .gcpAudit), ("azure-activity", .azureActivity), ("okta", .okta),
        ("github-audit", .githubAudit),
    ]

    /// The members whose absence (or a value of another JSON type) may refuse a sample; a value never
    /// does (an unreadable time gives no time).
    ///
    /// Many detection-test records are trimmed to the few fields a rule reads, and some are not events at all (CloudTrail
    /// digest files, a documentation fragment that is only a `userIdentity`). Any other refusal is a
    /// parser bug.
    static let refusablePaths: [String: Set<String>] = [
        "cloudtrail": ["$", "$.eventSource", "$.eventName"],
        "vpcflow": ["$.srcAddr"],
        "guardduty": [],
        "k8s-audit": ["$.verb"],
        "gcp-audit": ["$.protoPayload", "$.protoPayload.methodName"],
        "azure-activity": ["$.operationname"],
        "okta": ["$.eventType"],
        "github-audit": ["$.action"],
    ]

    @Test(arguments: folders.map(\.folder))
    func everyRecordIsParsedOrLocated(folder: String) throws {
        let format = Self.folders.first { $0.folder == folder }!.format
        var accepted = 0
        var refused = 0
        var unexpected: [String] = []
        for file in try SourceFixtures.files(folder) {
            let batch = try SourceFixtures.decode(format, folder, file.lastPathComponent)
            accepted += batch.entries.count
            for rejected in batch.rejected {
                #expect(rejected.error.path != nil || rejected.position.line != nil, "every refusal is located")
                #expect(!rejected.error.message.isEmpty)
                if !(Self.refusablePaths[folder] ?? []).contains(rejected.error.path ?? "") {
                    unexpected.append("\(file.lastPathComponent) \(rejected.position): \(rejected.error)")
                }
            }
            refused += batch.rejected.count
            for entry in batch.entries {
                #expect(!entry.event.id.isEmpty && !entry.event.type.isEmpty)
            }
        }
        #expect(accepted > 0, "the \(folder) fixtures hold records")
        #expect(accepted >= 3 * refused, "most samples are whole records: \(accepted) accepted, \(refused) refused")
        #expect(unexpected.isEmpty, "\(unexpected.count) unexpected refusals:\n\(unexpected.joined(separator: "\n"))")
    }

    @Test func entraRecordsByCategory() throws {
        var signIns = 0
        var audits = 0
        for file in try SourceFixtures.files("azure-entra") {
            let lines = try SourceFixtures.bytes("azure-entra", file.lastPathComponent).split(
                separator: UInt8(ascii: "\n")
            )
            for line in lines {
                let category = try JSONParser().parse(line)["category"]?.stringValue ?? ""
                let format: SourceFormat = category.hasSuffix("SignInLogs") ? .azureSignIn : .azureAudit
                let batch = try SourceDecoder(format: format, referenceMilliseconds: SourceFixtures.reference)
                    .decode(Array(line))
                #expect(batch.rejected.isEmpty, "\(file.lastPathComponent): \(batch.rejected.map { "\($0.error)" })")
                if format == .azureSignIn {
                    signIns += batch.entries.count
                } else {
                    audits += batch.entries.count
                }
            }
        }
        #expect(signIns > 10 && audits > 5)
    }
}
