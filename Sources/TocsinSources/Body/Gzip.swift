// SPDX-License-Identifier: Apache-2.0

/// Gzip (and zlib) decompression on the system zlib, bounded so a small "zip bomb" cannot exhaust
/// memory: the limit is enforced while inflating, a piece at a time.
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
    ///   truncated, or as soon as the output would exceed `limit` bytes.
    public static func decompress(_ bytes: [UInt8], limit: Int) throws(SourceError) -> [UInt8] {
        let inflater = try GzipInflater(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(bytes.count * 8, 4096)))
        while let piece = try inflater.next() {
            guard output.count + piece.count <= limit else {
                throw SourceError(offset: 0, message: "gzip: decompressed data exceeds the \(limit)-byte limit")
            }
            output.append(contentsOf: piece)
        }
        return output
    }
}
