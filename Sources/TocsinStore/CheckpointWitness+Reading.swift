// SPDX-License-Identifier: Apache-2.0

import Foundation
import TocsinCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CheckpointWitness.Entry {
    /// The entry as one witness line:
    /// `{"seq":N,"hash":"<64 hex>","signature":"<128 hex>","signed_at":"<RFC 3339>"}` and a newline.
    public var line: String {
        let signedAt = Timestamp(epochMilliseconds: signedMilliseconds).text
        return
            #"{"seq":\#(sequence),"hash":"\#(Hex.encode(hash))","signature":"\#(Hex.encode(signature))","signed_at":"\#(signedAt)"}"#
            + "\n"
    }

    /// Parses one witness line (without its newline), or returns `nil` when it is not one.
    public init?(line: some Collection<UInt8>) {
        guard let document = try? JSONParser().parse(Array(line)),
            case .number(let number)? = document["seq"], let sequence = number.int64Value, sequence > 0,
            let hash = document["hash"]?.stringValue.flatMap(Hex.decode), hash.count == 32,
            let signature = document["signature"]?.stringValue.flatMap(Hex.decode), signature.count == 64,
            let signedAt = document["signed_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        else {
            return nil
        }
        self.init(
            sequence: sequence,
            hash: hash,
            signature: signature,
            signedMilliseconds: signedAt.epochMilliseconds
        )
    }
}

extension CheckpointWitness {
    /// One entry of a witness file and the line it stands on (from 1).
    public struct Line: Sendable, Hashable {
        /// The line number.
        public var number: Int
        /// The checkpoint.
        public var entry: Entry
    }

    /// Every checkpoint in the witness file at `path`, in file order.
    ///
    /// A last line without its newline is a write still in progress (or cut off by a crash) and is
    /// skipped.
    ///
    /// - Throws: ``StoreError`` when the file cannot be read or a complete line is not a checkpoint.
    public static func lines(in path: String) throws -> [Line] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw StoreError(code: .witness, message: "cannot read the checkpoint witness \(path); check --witness")
        }
        var result: [Line] = []
        var number = 0
        var start = data.startIndex
        while let newline = data[start...].firstIndex(of: UInt8(ascii: "\n")) {
            number += 1
            let line = data[start..<newline]
            start = newline + 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
                continue
            }
            guard let entry = Entry(line: line) else {
                throw StoreError(
                    code: .witness,
                    message:
                        "line \(number) of the checkpoint witness \(path) is not a checkpoint record; the file is damaged"
                )
            }
            result.append(Line(number: number, entry: entry))
        }
        return result
    }

    /// The last complete checkpoint in the witness file at `path`.
    ///
    /// `nil` when the file does not exist or holds none. Reads only the file's end, so start-up stays fast for a long witness.
    ///
    /// - Throws: ``StoreError`` when the file cannot be read or its last line is not a checkpoint.
    public static func lastEntry(in path: String) throws -> Entry? {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT {
                return nil
            }
            throw StoreError(code: .witness, message: "cannot read the checkpoint witness \(path) (\(describe(errno)))")
        }
        var tail = try readTail(of: path, size: Int64(status.st_size))
        if let newline = tail.lastIndex(of: UInt8(ascii: "\n")) {
            tail.removeSubrange((newline + 1)...)
        } else {
            return nil
        }
        let lines = tail.split(separator: UInt8(ascii: "\n"))
        guard let last = lines.last(where: { !$0.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") } })
        else {
            return nil
        }
        guard let entry = Entry(line: last) else {
            throw StoreError(
                code: .witness,
                message:
                    "the last line of the checkpoint witness \(path) is not a checkpoint record; check that --checkpoint-witness names the right file"
            )
        }
        return entry
    }

    /// The last 64 KiB (at most) of the file at `path`, whose size is `size`.
    static func readTail(of path: String, size: Int64) throws -> [UInt8] {
        let descriptor = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StoreError(code: .witness, message: "cannot read the checkpoint witness \(path) (\(describe(errno)))")
        }
        defer { close(descriptor) }
        let count = Int(min(size, 65_536))
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let read = buffer.withUnsafeMutableBytes { raw in
                pread(
                    descriptor,
                    raw.baseAddress.map { $0 + filled },
                    count - filled,
                    off_t(size) - off_t(count - filled)
                )
            }
            if read < 0, errno == EINTR {
                continue
            }
            guard read > 0 else {
                throw StoreError(
                    code: .witness,
                    message: "cannot read the checkpoint witness \(path) (\(describe(errno)))"
                )
            }
            filled += read
        }
        return buffer
    }
}
