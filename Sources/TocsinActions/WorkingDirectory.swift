// SPDX-License-Identifier: Apache-2.0

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The fresh, empty working directory of one program run, under the scratch directory.
enum WorkingDirectory {
    /// Creates `<scratch>/run-XXXXXX` (mode 0700), creating `scratch` (mode 0700) if missing.
    static func create(under scratch: String) -> Result<String, FileSystemCallError> {
        if mkdir(scratch, 0o700) != 0, errno != EEXIST {
            return .failure(
                FileSystemCallError(
                    code: .workingDirectory,
                    path: scratch,
                    errorNumber: errno,
                    action: "could not create the exec scratch directory \(scratch)",
                    hint: "check that its parent exists and the server may write to it"
                )
            )
        }
        var template = Array((scratch + "/run-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else {
                return false
            }
            return mkdtemp(base) != nil
        }
        guard created else {
            return .failure(
                FileSystemCallError(
                    code: .workingDirectory,
                    path: scratch,
                    errorNumber: errno,
                    action: "could not create a working directory under \(scratch)",
                    hint: "check that the server may write to it"
                )
            )
        }
        return .success(String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Removes the directory and whatever the program left in it, following no symlink.
    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
