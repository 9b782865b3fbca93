// SPDX-License-Identifier: Apache-2.0

/// What an sshd, PAM or sudo message says, in fields (spec section 9 of the log formats).
struct AuthenticationLine: Sendable, Hashable {
    /// The kind of line, which is also the CloudEvents `type`.
    enum Kind: String, Sendable, Hashable {
        case loginSucceeded = "ssh.login.succeeded"
        case loginFailed = "ssh.login.failed"
        case invalidUser = "ssh.login.invalid_user"
        case pamFailure = "ssh.pam.auth_failed"
        case connectionClosed = "ssh.connection.closed"
        case disconnected = "ssh.session.disconnected"
        case sessionOpened = "ssh.session.opened"
        case sessionClosed = "ssh.session.closed"
        case sudoCommand = "sudo.command"
        case sudoDenied = "sudo.denied"
    }

    var kind: Kind
    var user: String?
    var address: String?
    var port: Int?
    var method: String?
    var isInvalidUser = false
    var targetUser: String?
    var command: String?
    var detail: String?

    /// Reads `message` from program `app`; `nil` when it is not one of the known lines.
    ///
    /// An empty user name (`Failed password for invalid user  from …`) reads as no user: the line
    /// is still classified.
    static func classify(app: String?, message: String) -> AuthenticationLine? {
        var line: AuthenticationLine?
        switch app {
        case "sshd": line = sshd(message)
        case "sudo": line = sudo(message)
        default: return nil
        }
        if line?.user?.isEmpty == true {
            line?.user = nil
        }
        return line
    }

    private static func sshd(_ message: String) -> AuthenticationLine? {
        guard
            message.utf8.first.map({
                $0 == UInt8(ascii: "A") || $0 == UInt8(ascii: "F") || $0 == UInt8(ascii: "I")
                    || $0 == UInt8(ascii: "C") || $0 == UInt8(ascii: "D") || $0 == UInt8(ascii: "R")
                    || $0 == UInt8(ascii: "p")
            }) == true
        else {
            return nil
        }
        let words = MessageWords(message)
        func port() -> Int? {
            words.firstIndex(of: "port").flatMap { words.leadingNumber(at: $0 + 1) }
        }
        func address(after start: Int) -> String? {
            words.firstIndex(of: "from", from: start).flatMap { words.text(at: $0 + 1) }
        }
        if words.count >= 6, words.isWord(0, "Accepted") || words.isWord(0, "Failed"), words.isWord(2, "for") {
            let invalid = words.isWord(3, "invalid") && words.isWord(4, "user")
            return AuthenticationLine(
                kind: words.isWord(0, "Accepted") ? .loginSucceeded : .loginFailed,
                user: words.text(at: invalid ? 5 : 3),
                address: address(after: 3),
                port: port(),
                method: words.text(at: 1),
                isInvalidUser: invalid
            )
        }
        if words.count >= 4, words.isWord(0, "Invalid"), words.isWord(1, "user") {
            return AuthenticationLine(
                kind: .invalidUser,
                user: words.text(at: 2)?.nilIfEmpty,
                address: address(after: 3),
                port: port(),
                isInvalidUser: true,
                detail: "invalid user"
            )
        }
        let closed =
            words.count >= 4 && words.isWord(0, "Connection") && words.isWord(1, "closed") && words.isWord(2, "by")
        if closed || (words.count >= 3 && words.isWord(0, "Disconnected") && words.isWord(1, "from")) {
            var index = closed ? 3 : 2
            var user: String?
            var invalid = false
            if index + 2 < words.count, words.isWord(index + 1, "user"),
                words.isWord(index, "authenticating") || words.isWord(index, "invalid")
            {
                invalid = words.isWord(index, "invalid")
                user = words.text(at: index + 2)
                index += 3
            } else if index + 1 < words.count, words.isWord(index, "user") {
                user = words.text(at: index + 1)
                index += 2
            }
            return AuthenticationLine(
                kind: closed ? .connectionClosed : .disconnected,
                user: user,
                address: words.text(at: index),
                port: port(),
                isInvalidUser: invalid,
                detail: words.endsWith("[preauth]") ? "before authentication" : nil
            )
        }
        if words.count >= 4, words.isWord(0, "Received"), words.isWord(1, "disconnect"), words.isWord(2, "from") {
            return AuthenticationLine(
                kind: .disconnected,
                address: words.text(at: 3, droppingSuffix: UInt8(ascii: ":")),
                port: port()
            )
        }
        if words.isWord(0, "pam_unix(sshd:auth):"), words.isWord(1, "authentication"), words.isWord(2, "failure;") {
            var line = AuthenticationLine(kind: .pamFailure)
            for index in 3..<words.count {
                if let host = words.text(at: index, droppingPrefix: "rhost=") {
                    line.address = host.nilIfEmpty
                } else if let user = words.text(at: index, droppingPrefix: "user=") {
                    line.user = user.nilIfEmpty
                }
            }
            return line
        }
        if words.count >= 6, words.isWord(0, "pam_unix(sshd:session):"), words.isWord(1, "session"),
            words.isWord(3, "for"), words.isWord(4, "user")
        {
            return AuthenticationLine(
                kind: words.isWord(2, "opened") ? .sessionOpened : .sessionClosed,
                user: words.text(at: 5)
            )
        }
        return nil
    }

    /// `USER : [N incorrect password attempts ; |user NOT in sudoers ; ]TTY=… ; PWD=… ; USER=… ; COMMAND=…`.
    private static func sudo(_ message: String) -> AuthenticationLine? {
        let bytes = Array(message.utf8)
        guard
            let colon = bytes.indices.dropFirst().dropLast().first(where: { index in
                bytes[index] == UInt8(ascii: ":") && bytes[index - 1] == UInt8(ascii: " ")
                    && bytes[index + 1] == UInt8(ascii: " ")
            })
        else {
            return nil
        }
        let user = String(decoding: trimmed(bytes[..<(colon - 1)]), as: UTF8.self)
        var line = AuthenticationLine(kind: .sudoCommand, user: user)
        var sawCommand = false
        for part in bytes[(colon + 2)...].split(separator: UInt8(ascii: ";")) {
            let field = trimmed(part)
            if field.starts(with: "COMMAND=".utf8) {
                line.command = String(decoding: field.dropFirst(8), as: UTF8.self)
                sawCommand = true
            } else if field.starts(with: "USER=".utf8) {
                line.targetUser = String(decoding: field.dropFirst(5), as: UTF8.self)
            } else if field.reversed().starts(with: "incorrect password attempts".utf8.reversed())
                || field.reversed().starts(with: "incorrect password attempt".utf8.reversed())
                || field.elementsEqual("user NOT in sudoers".utf8)
            {
                line.kind = .sudoDenied
                line.detail = String(decoding: field, as: UTF8.self)
            }
        }
        return sawCommand ? line : nil
    }

    private static func trimmed(_ field: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var field = field
        while field.first == UInt8(ascii: " ") {
            field = field.dropFirst()
        }
        while field.last == UInt8(ascii: " ") {
            field = field.dropLast()
        }
        return field
    }
}

extension String {
    fileprivate var nilIfEmpty: String? {
        isEmpty ? nil : self
    }
}
