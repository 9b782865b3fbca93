// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import NIOCore

/// Request bodies collected under the configured size limit and deadline.
enum RequestBody {
    /// The whole body, or a problem: `413` when it is (or declares to be) larger than `limit`
    /// bytes, `408` when it has not arrived in full within `timeout`.
    static func collect(_ request: Request, limit: Int, timeout: Duration) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem.bodyTooLarge(limit: limit)
        }
        do {
            return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await request.body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let body = first else {
                    throw Problem.bodyTimeout(timeout)
                }
                return body
            }
        } catch is NIOTooManyBytesError {
            throw Problem.bodyTooLarge(limit: limit)
        }
    }
}
