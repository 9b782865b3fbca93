// SPDX-License-Identifier: Apache-2.0

#define _GNU_SOURCE
#include "CTocsinSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int tocsin_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int tocsin_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

// The child shares the parent's memory until exec (CLONE_VM|CLONE_VFORK, as glibc's posix_spawn
// does, so the server's page tables are not copied), runs on its own small stack, and makes only
// async-signal-safe system calls: the parent has other threads, and their locks may be held.
static void report_and_exit(int report_fd, int step) {
    int message[2] = {step, errno};
    ssize_t ignored = write(report_fd, message, sizeof(message));
    (void)ignored;
    _exit(127);
}

static int set_limit(int resource, unsigned long long value) {
    if (value == 0) {
        return 0;
    }
    struct rlimit limit = {.rlim_cur = (rlim_t)value, .rlim_max = (rlim_t)value};
    return setrlimit(resource, &limit);
}

// Moves `from` to `to`, leaving it open across exec.
static int move_descriptor(int from, int to) {
    if (from == to) {
        int flags = fcntl(to, F_GETFD);
        return flags < 0 ? -1 : fcntl(to, F_SETFD, flags & ~FD_CLOEXEC);
    }
    return dup2(from, to) < 0 ? -1 : 0;
}

// Closes every descriptor from 3 up except `keep` (close-on-exec, closed by the exec itself).
static int close_others(int keep) {
#ifdef SYS_close_range
    if (keep > 3 && syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u) != 0) {
        return -1;
    }
    if (syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0) {
        return 0;
    }
    if (errno != ENOSYS) {
        return -1;
    }
#endif
    struct rlimit limit;
    int last = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536 ? (int)limit.rlim_cur : 65536;
    for (int fd = 3; fd < last; fd++) {
        if (fd != keep) {
            close(fd);
        }
    }
    return 0;
}

static void run_child(
    const char *path, char *const argv[], char *const envp[], const char *directory, int stdin_fd,
    int stdout_fd, int stderr_fd, const tocsin_spawn_limits *limits, int report_fd) {
    struct sigaction action = {0};
    action.sa_handler = SIG_DFL;
    for (int signal_number = 1; signal_number < NSIG; signal_number++) {
        sigaction(signal_number, &action, NULL);
    }
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    if (setpgid(0, 0) != 0) {
        report_and_exit(report_fd, TOCSIN_SPAWN_STEP_PROCESS_GROUP);
    }
    if (set_limit(RLIMIT_CPU, limits->cpu_seconds) != 0 || set_limit(RLIMIT_AS, limits->address_space_bytes) != 0
        || set_limit(RLIMIT_NOFILE, limits->open_files) != 0) {
        report_and_exit(report_fd, TOCSIN_SPAWN_STEP_LIMITS);
    }
    // A source descriptor sitting on 0-2 would be clobbered by an earlier move: lift it first.
    int *sources[3] = {&stdin_fd, &stdout_fd, &stderr_fd};
    for (int index = 0; index < 3; index++) {
        if (*sources[index] <= 2 && *sources[index] != index) {
            *sources[index] = fcntl(*sources[index], F_DUPFD_CLOEXEC, 3);
            if (*sources[index] < 0) {
                report_and_exit(report_fd, TOCSIN_SPAWN_STEP_DESCRIPTORS);
            }
        }
    }
    if (chdir(directory) != 0) {
        report_and_exit(report_fd, TOCSIN_SPAWN_STEP_DIRECTORY);
    }
    if (move_descriptor(stdin_fd, 0) != 0 || move_descriptor(stdout_fd, 1) != 0 || move_descriptor(stderr_fd, 2) != 0
        || close_others(report_fd) != 0) {
        report_and_exit(report_fd, TOCSIN_SPAWN_STEP_DESCRIPTORS);
    }
    execve(path, argv, envp);
    report_and_exit(report_fd, TOCSIN_SPAWN_STEP_EXEC);
}

typedef struct {
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *directory;
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
    const tocsin_spawn_limits *limits;
    int report_fd;
} child_arguments;

static int child_main(void *context) {
    child_arguments *arguments = context;
    run_child(
        arguments->path, arguments->argv, arguments->envp, arguments->directory, arguments->stdin_fd,
        arguments->stdout_fd, arguments->stderr_fd, arguments->limits, arguments->report_fd);
    return 127;
}

enum { CHILD_STACK_BYTES = 64 * 1024 };

int tocsin_spawn(
    const char *path, char *const argv[], char *const envp[], const char *directory, int stdin_fd,
    int stdout_fd, int stderr_fd, const tocsin_spawn_limits *limits, pid_t *pid, int *failed_step) {
    int report[2];
    *failed_step = TOCSIN_SPAWN_STEP_FORK;
    if (pipe2(report, O_CLOEXEC) != 0) {
        return errno;
    }
    // The descriptors moved onto 0-2 must not collide with the report pipe's write end.
    if (report[1] <= 2) {
        int moved = fcntl(report[1], F_DUPFD_CLOEXEC, 3);
        if (moved < 0) {
            int error = errno;
            close(report[0]);
            close(report[1]);
            return error;
        }
        close(report[1]);
        report[1] = moved;
    }
    void *stack = mmap(NULL, CHILD_STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        int error = errno;
        close(report[0]);
        close(report[1]);
        return error;
    }
    child_arguments arguments = {
        path, argv, envp, directory, stdin_fd, stdout_fd, stderr_fd, limits, report[1],
    };
    // No signal handler of the server may run on the child's stack before the child resets them.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t child = clone(child_main, (char *)stack + CHILD_STACK_BYTES, CLONE_VM | CLONE_VFORK | SIGCHLD, &arguments);
    int clone_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    munmap(stack, CHILD_STACK_BYTES);
    if (child < 0) {
        close(report[0]);
        close(report[1]);
        return clone_error;
    }
    close(report[1]);
    // Also set in the parent, so the group exists before anyone signals it.
    setpgid(child, child);
    int message[2] = {0, 0};
    ssize_t got;
    do {
        got = read(report[0], message, sizeof(message));
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof(message)) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        *failed_step = message[0];
        return message[1];
    }
    *failed_step = TOCSIN_SPAWN_STEP_NONE;
    *pid = child;
    return 0;
}
