// SPDX-License-Identifier: Apache-2.0
//
// Starts a program in its own process group with resource limits set in the child before exec.
// Swift cannot run safely between fork and exec (the runtime may allocate or take locks), so this
// small piece is C; everything around it is Swift (docs/adr/0005-exec-resource-limits.md).

#ifndef CTOCSINSPAWN_H
#define CTOCSINSPAWN_H

#include <sys/types.h>

/// Resource limits applied in the child; 0 leaves a limit as the server has it.
typedef struct {
    unsigned long long cpu_seconds;
    unsigned long long address_space_bytes;
    unsigned long long open_files;
} tocsin_spawn_limits;

/// The step that failed in the child, reported with its errno.
enum {
    TOCSIN_SPAWN_STEP_NONE = 0,
    TOCSIN_SPAWN_STEP_FORK = 1,
    TOCSIN_SPAWN_STEP_PROCESS_GROUP = 2,
    TOCSIN_SPAWN_STEP_LIMITS = 3,
    TOCSIN_SPAWN_STEP_DIRECTORY = 4,
    TOCSIN_SPAWN_STEP_DESCRIPTORS = 5,
    TOCSIN_SPAWN_STEP_EXEC = 6,
};

/// Forks and execs `path` with `argv` and `envp` (both NULL-terminated) in `directory`, with the
/// three descriptors as its standard input, output and error and every other descriptor closed,
/// signal dispositions and mask reset, in a new process group it leads, under `limits`.
///
/// Returns 0 and sets `*pid` once the program is executing; otherwise returns the errno and sets
/// `*failed_step` (the child, if any, is reaped).
int tocsin_spawn(
    const char *path,
    char *const argv[],
    char *const envp[],
    const char *directory,
    int stdin_fd,
    int stdout_fd,
    int stderr_fd,
    const tocsin_spawn_limits *limits,
    pid_t *pid,
    int *failed_step
);

/// A pipe whose two ends are close-on-exec; returns 0 or -1 with errno set.
int tocsin_pipe_cloexec(int fds[2]);

/// A descriptor that becomes readable when `pid` exits (pidfd_open); -1 with errno set on failure.
int tocsin_pidfd_open(pid_t pid);

#endif
