// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call on a file or program failed; the message names the path, the call and `errno`.
///
/// Delivery errors must say what failed, so an operator can fix it without a debugger: the
/// message reads like "could not rename /etc/nftables.d/.tocsin.nft.tmp-1f… over
/// /etc/nftables.d/tocsin.nft: Permission denied (errno 13)". It never holds payload values.
public struct FileSystemCallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failure class, stable for scripts and tests.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case createTemporary = "create-temporary"
            case write
            case sync
            case rename
            case syncDirectory = "sync-directory"
            case workingDirectory = "working-directory"
            case spawn
        }

        private let value: Value

        /// An exclusive temporary file could not be created next to the target.
        public static let createTemporary = Code(value: .createTemporary)
        /// Writing the file's contents failed.
        public static let write = Code(value: .write)
        /// `fsync` of the file failed.
        public static let sync = Code(value: .sync)
        /// Renaming the temporary file over the target failed.
        public static let rename = Code(value: .rename)
        /// `fsync` of the target's directory failed.
        public static let syncDirectory = Code(value: .syncDirectory)
        /// A program's working directory could not be created.
        public static let workingDirectory = Code(value: .workingDirectory)
        /// A program could not be started.
        public static let spawn = Code(value: .spawn)

        /// The code's stable text, such as `rename`.
        public var description: String { value.rawValue }
    }

    /// What failed.
    public var code: Code
    /// The file or program the call was about.
    public var path: String
    /// The `errno` the call set.
    public var errorNumber: Int32
    /// What happened and how to fix it.
    public var message: String

    /// Creates an error for `code` on `path` from `errorNumber`, with `action` describing the call
    /// ("could not rename … over …") and `hint` saying how to fix it.
    public init(code: Code, path: String, errorNumber: Int32, action: String, hint: String = "") {
        self.code = code
        self.path = path
        self.errorNumber = errorNumber
        let reason = String(cString: strerror(errorNumber))
        self.message = "\(action): \(reason) (errno \(errorNumber))" + (hint.isEmpty ? "" : "; \(hint)")
    }

    /// The message.
    public var description: String { message }
}
