// SPDX-License-Identifier: Apache-2.0

import CZlib

/// Streaming gzip (and zlib) decompression on the system zlib: output comes a piece at a time, so
/// a body can be measured, counted and read without ever holding it decompressed.
///
/// Concatenated members are one stream, as `gunzip` reads them; zero padding after the last
/// member is tolerated. An inflater is used by one task at a time.
public final class GzipInflater {
    private let input: [UInt8]
    private let stream: UnsafeMutablePointer<z_stream>
    private var consumed = 0
    private var isFinished = false
    private var piece: [UInt8]

    /// How many bytes of the compressed input have been read so far.
    public var compressedBytesRead: Int {
        consumed
    }

    /// Starts inflating `input`; each call to ``next()`` gives at most `pieceBytes` bytes.
    ///
    /// - Throws: ``SourceError`` when zlib cannot start.
    public init(_ input: [UInt8], pieceBytes: Int = 256 * 1024) throws(SourceError) {
        self.input = input
        piece = [UInt8](repeating: 0, count: pieceBytes)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw SourceError(offset: 0, message: "gzip: the decompressor could not start")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The next piece of output (never empty), or `nil` at the end of the stream.
    ///
    /// - Throws: ``SourceError`` at the compressed byte offset where the data is invalid or
    ///   truncated.
    public func next() throws(SourceError) -> ArraySlice<UInt8>? {
        while !isFinished {
            let (status, produced) = step()
            switch status {
            case Z_STREAM_END:
                // Another member may follow (`cat a.gz b.gz`).
                if consumed < input.count, input[consumed...].contains(where: { $0 != 0 }) {
                    guard inflateReset(stream) == Z_OK else {
                        throw SourceError(offset: consumed, message: "gzip: the decompressor could not restart")
                    }
                } else {
                    isFinished = true
                }
            case Z_OK:
                break
            case Z_BUF_ERROR where consumed == input.count:
                throw SourceError(offset: consumed, message: "gzip: the data is truncated")
            default:
                throw SourceError(offset: consumed, message: "gzip: the data is not valid compressed data")
            }
            if produced > 0 {
                return piece[0..<produced]
            }
        }
        return nil
    }

    /// One `inflate` call from where the last one stopped; zlib keeps no pointer into the input
    /// between calls, so the input is re-pinned each time.
    private func step() -> (status: Int32, produced: Int) {
        input.withUnsafeBufferPointer { source in
            piece.withUnsafeMutableBufferPointer { output in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress.map { $0 + consumed })
                let available = UInt32(min(source.count - consumed, Int(UInt32.max)))
                stream.pointee.avail_in = available
                stream.pointee.next_out = output.baseAddress
                stream.pointee.avail_out = UInt32(output.count)
                let status = inflate(stream, Z_NO_FLUSH)
                consumed += Int(available - stream.pointee.avail_in)
                return (status, output.count - Int(stream.pointee.avail_out))
            }
        }
    }
}

/// The inflater's zlib stream is only touched by the task using it.
@available(*, unavailable)
extension GzipInflater: Sendable {}
