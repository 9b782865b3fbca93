// SPDX-License-Identifier: Apache-2.0

import CLibFuzzer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs libFuzzer on one target.
public enum FuzzDriver {
    /// Hands the process's arguments and `testOneInput` (libFuzzer's `LLVMFuzzerTestOneInput`: the
    /// input's bytes and count, returning 0) to libFuzzer, and exits with its status.
    public static func run(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }
}
