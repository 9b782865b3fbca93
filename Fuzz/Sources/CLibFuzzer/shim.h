// SPDX-License-Identifier: Apache-2.0
// libFuzzer's driver, in the runtime that `-sanitize=fuzzer` links (libclang_rt.fuzzer). The targets call
// it from their own `main`: SwiftPM links executables on Linux with `main` renamed to `<Module>_main`, so
// libFuzzer's `main` is never the entry point.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
