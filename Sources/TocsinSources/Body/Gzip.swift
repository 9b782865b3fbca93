// SPDX-License-Identifier: Apache-2.0

import CZlib

/// Gzip (and zlib) decompression on the system zlib, bounded so a small "zip bomb" cannot exhaust
/// memory.
public enum Gzip: Sendable {
    /// Whether `bytes` start with the gzip magic number.
    public static func isCompressed(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        return iterator.next() == 0x1F && iterator.next() == 0x8B
    }

    /// Decompresses every gzip member in `bytes` (concatenated members are one stream, as `gunzip`
    /// reads them).
    ///
    /// - Throws: ``SourceError`` at the compressed byte offset where the data is invalid or
    ///   truncated, or when the output would exceed `limit` bytes.
    public static func decompress(_ bytes: [UInt8], limit: Int) throws(SourceError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw SourceError(offset: 0, message: "gzip: the decompressor could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(bytes.count * 8, 4096)))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        return try bytes.withUnsafeBufferPointer { (input) throws(SourceError) -> [UInt8] in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, buffer.count - Int(stream.avail_out))
                }
                let offset = input.count - Int(stream.avail_in)
                if output.count + produced > limit {
                    throw SourceError(
                        offset: offset,
                        message: "gzip: decompressed data exceeds the \(limit)-byte limit"
                    )
                }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END:
                    // Another member may follow (`cat a.gz b.gz`); trailing zero padding is tolerated.
                    guard stream.avail_in > 0, input[offset...].contains(where: { $0 != 0 }) else {
                        return output
                    }
                    guard inflateReset(&stream) == Z_OK else {
                        throw SourceError(offset: offset, message: "gzip: the decompressor could not restart")
                    }
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw SourceError(offset: offset, message: "gzip: the data is truncated")
                default:
                    throw SourceError(offset: offset, message: "gzip: the data is not valid compressed data")
                }
            }
        }
    }
}
