// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import NIOCore

/// Request bodies collected under the configured size limit.
///
/// How long a body may take to
/// arrive is enforced per connection by ``BodyDeadlineHandler``, not here: a task per request
/// would cost the hot path about an eighth of its throughput.
enum RequestBody {
    /// The whole body, or a `413` problem when it is (or declares to be) larger than `limit` bytes.
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem.bodyTooLarge(limit: limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem.bodyTooLarge(limit: limit)
        }
    }
}
