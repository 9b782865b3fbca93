// SPDX-License-Identifier: Apache-2.0

import CTocsinSpawn

#if canImport(Glibc)
import Glibc
#endif

/// The three pipes between the server and a program; the server's ends are non-blocking.
struct ChildPipes {
    private(set) var childInput: Int32 = -1
    private(set) var childOutput: Int32 = -1
    private(set) var childError: Int32 = -1
    var input: Int32 = -1
    var output: Int32 = -1
    var error: Int32 = -1

    /// Creates the pipes (close-on-exec); the error names the program and `errno`.
    mutating func open(command: String) -> FileSystemCallError? {
        var descriptors: [Int32] = [-1, -1]
        for stream in 0..<3 {
            guard tocsin_pipe_cloexec(&descriptors) == 0 else {
                return FileSystemCallError(
                    code: .spawn,
                    path: command,
                    errorNumber: errno,
                    action: "could not create a pipe for \(command)",
                    hint: "the server may be out of descriptors (raise its open-file limit)"
                )
            }
            switch stream {
            case 0: (childInput, input) = (descriptors[0], descriptors[1])
            case 1: (output, childOutput) = (descriptors[0], descriptors[1])
            default: (error, childError) = (descriptors[0], descriptors[1])
            }
        }
        for descriptor in [input, output, error] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        return nil
    }

    /// Closes the ends the program got, so its exit or closing shows up as EOF/EPIPE here.
    mutating func closeChildEnds() {
        Self.close(&childInput)
        Self.close(&childOutput)
        Self.close(&childError)
    }

    mutating func closeAll() {
        closeChildEnds()
        Self.close(&input)
        Self.close(&output)
        Self.close(&error)
    }

    static func close(_ descriptor: inout Int32) {
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
    }
}

/// Writes the input and reads both outputs until the program exits, never blocking on a pipe.
struct OutputPump {
    private let input: [UInt8]
    private let maxOutputBytes: Int
    private(set) var inputBytesWritten = 0
    private(set) var output: [UInt8] = []
    private(set) var errorOutput: [UInt8] = []
    private(set) var isTruncated = false
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(input: [UInt8], maxOutputBytes: Int) {
        self.input = input
        self.maxOutputBytes = maxOutputBytes
    }

    /// Pumps until `exitDescriptor` (a pidfd) says the program exited.
    ///
    /// Output its leftover children still write is not waited for: they are killed next.
    mutating func run(pipes: inout ChildPipes, exitDescriptor: Int32) {
        if input.isEmpty {
            ChildPipes.close(&pipes.input)
        }
        while true {
            var polls = [pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0)]
            polls.append(pollfd(fd: pipes.input, events: Int16(POLLOUT), revents: 0))
            polls.append(pollfd(fd: pipes.output, events: Int16(POLLIN), revents: 0))
            polls.append(pollfd(fd: pipes.error, events: Int16(POLLIN), revents: 0))
            // Negative descriptors are ignored by poll.
            let ready = poll(&polls, nfds_t(polls.count), -1)
            if ready < 0 {
                guard errno == EINTR else {
                    return
                }
                continue
            }
            if polls[1].revents != 0 {
                writeInput(pipes: &pipes)
            }
            if polls[2].revents != 0 {
                read(&pipes.output, into: \.output)
            }
            if polls[3].revents != 0 {
                read(&pipes.error, into: \.errorOutput)
            }
            if polls[0].revents != 0 {
                return
            }
        }
    }

    /// Reads what is already in the output pipes after the exit, up to EOF or an empty pipe.
    mutating func drain(pipes: inout ChildPipes) {
        ChildPipes.close(&pipes.input)
        while pipes.output >= 0, read(&pipes.output, into: \.output) {}
        while pipes.error >= 0, read(&pipes.error, into: \.errorOutput) {}
    }

    private mutating func writeInput(pipes: inout ChildPipes) {
        let remaining = input.count - inputBytesWritten
        let written = input.withUnsafeBytes { bytes in
            Glibc.write(pipes.input, bytes.baseAddress.map { $0 + inputBytesWritten }, min(remaining, 64 * 1024))
        }
        if written > 0 {
            inputBytesWritten += written
            if inputBytesWritten == input.count {
                ChildPipes.close(&pipes.input)
            }
        } else if written < 0, errno != EAGAIN, errno != EINTR {
            // EPIPE: the program closed its input or exited; the rest is not wanted.
            ChildPipes.close(&pipes.input)
        }
    }

    /// Reads once; returns whether more may follow right away (bytes were read).
    @discardableResult
    private mutating func read(_ descriptor: inout Int32, into keyPath: WritableKeyPath<OutputPump, [UInt8]>) -> Bool {
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 {
            let room = max(0, maxOutputBytes - self[keyPath: keyPath].count)
            if count > room {
                isTruncated = true
            }
            self[keyPath: keyPath].append(contentsOf: buffer[0..<min(count, room)])
            return true
        }
        if count == 0 || (errno != EAGAIN && errno != EINTR) {
            ChildPipes.close(&descriptor)
        }
        return false
    }
}
