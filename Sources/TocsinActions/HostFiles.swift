// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks of the host's files for `tocsin config check`.
enum HostFiles {
    /// Whether `path` is a regular file this process may execute.
    static func isExecutable(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & 0o170000 == 0o100000 && access(path, X_OK) == 0
    }

    /// Why files cannot be created in the directory of `path`, or `nil` when they can.
    static func directoryProblem(of path: String) -> String? {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let shown = directory.isEmpty ? "/" : directory
        var status = stat()
        guard stat(shown, &status) == 0 else {
            return "the directory \(shown) does not exist (errno \(errno)); create it or fix the path"
        }
        guard status.st_mode & 0o170000 == 0o040000 else {
            return "\(shown) is not a directory; fix the path"
        }
        guard access(shown, W_OK | X_OK) == 0 else {
            return "the directory \(shown) is not writable by this user (errno \(errno)); fix its permissions"
        }
        return nil
    }
}
