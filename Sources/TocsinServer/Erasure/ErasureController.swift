// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import NIOCore
import TocsinCore

/// `POST /v1/erasures`: crypto-shreds one data subject (docs/erasure.md).
struct ErasureController: Sendable {
    let administration: any ErasureAdministration
    let configuration: ServerConfiguration

    /// The longest subject accepted, in bytes.
    static let maximumSubjectBytes = 1024

    func erase(_ request: Request, context: TocsinRequestContext) async throws -> Response {
        let body = try await RequestBody.collect(request, limit: configuration.maxBodyBytes)
        let document: JSONValue
        do {
            document = try body.withUnsafeReadableBytes {
                try JSONParser(limits: configuration.jsonLimits).parse(raw: $0)
            }
        } catch let error as JSONParseError {
            throw Problem.invalidJSON(error)
        }
        let reader = try BodyFields(document, allowed: ["subject"], kind: .erasure)
        guard let subject = try reader.string("subject", maximumBytes: Self.maximumSubjectBytes), !subject.isEmpty
        else {
            throw reader.invalid("subject", "is required: the data subject as the personal-data file finds it")
        }
        let receipt = try await administration.erase(subject: subject, actor: context.caller.name)
        return JSONResponse.make(.ok, receipt.jsonValue)
    }
}

extension BodyFields.Kind {
    static let erasure = BodyFields.Kind(code: "invalid-erasure-request", title: "The erasure request is not valid")
}
