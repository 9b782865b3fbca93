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
    static func classify(app: String?, message: String) -> AuthenticationLine? {
        switch app {
        case "sshd": return sshd(message)
        case "sudo": return sudo(message)
        default: return nil
        }
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
        // Split on bytes: splitting a String by Character walks grapheme clusters, several times slower.
        let words = message.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        func value(after word: String, from start: Int = 0) -> String? {
            guard let index = words[start...].firstIndex(of: word), index + 1 < words.count else {
                return nil
            }
            return words[index + 1]
        }
        func port() -> Int? {
            value(after: "port").flatMap { Int($0.prefix { $0.isNumber }) }
        }
        if message.hasPrefix("Accepted ") || message.hasPrefix("Failed "), words.count >= 6, words[2] == "for" {
            let invalid = words.count > 4 && words[3] == "invalid" && words[4] == "user"
            let user = invalid ? words[5] : words[3]
            return AuthenticationLine(
                kind: words[0] == "Accepted" ? .loginSucceeded : .loginFailed,
                user: user,
                address: value(after: "from", from: 3),
                port: port(),
                method: words[1],
                isInvalidUser: invalid
            )
        }
        if message.hasPrefix("Invalid user "), words.count >= 4 {
            return AuthenticationLine(
                kind: .invalidUser,
                user: words[2].isEmpty ? nil : words[2],
                address: value(after: "from", from: 3),
                port: port(),
                isInvalidUser: true,
                detail: "invalid user"
            )
        }
        if message.hasPrefix("Connection closed by ") || message.hasPrefix("Disconnected from ") {
            let closed = message.hasPrefix("Connection closed by ")
            var index = closed ? 3 : 2
            var user: String?
            var invalid = false
            if index + 2 < words.count, words[index + 1] == "user",
                ["authenticating", "invalid"].contains(words[index])
            {
                invalid = words[index] == "invalid"
                user = words[index + 2]
                index += 3
            } else if index + 1 < words.count, words[index] == "user" {
                user = words[index + 1]
                index += 2
            }
            return AuthenticationLine(
                kind: closed ? .connectionClosed : .disconnected,
                user: user,
                address: index < words.count ? words[index] : nil,
                port: port(),
                isInvalidUser: invalid,
                detail: message.hasSuffix("[preauth]") ? "before authentication" : nil
            )
        }
        if message.hasPrefix("Received disconnect from "), words.count >= 4 {
            let address = words[3].hasSuffix(":") ? String(words[3].dropLast()) : words[3]
            return AuthenticationLine(kind: .disconnected, address: address, port: port())
        }
        if message.hasPrefix("pam_unix(sshd:auth): authentication failure;") {
            var line = AuthenticationLine(kind: .pamFailure)
            for word in words {
                if word.hasPrefix("rhost=") {
                    line.address = String(word.dropFirst(6)).nilIfEmpty
                } else if word.hasPrefix("user=") {
                    line.user = String(word.dropFirst(5)).nilIfEmpty
                }
            }
            return line
        }
        if message.hasPrefix("pam_unix(sshd:session): session "), words.count >= 6, words[3] == "for",
            words[4] == "user"
        {
            return AuthenticationLine(kind: words[2] == "opened" ? .sessionOpened : .sessionClosed, user: words[5])
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
        let user = String(decoding: bytes[..<(colon - 1)], as: UTF8.self).trimmingSpaces
        var line = AuthenticationLine(kind: .sudoCommand, user: user)
        var sawCommand = false
        for part in bytes[(colon + 2)...].split(separator: UInt8(ascii: ";")) {
            let field = String(decoding: part, as: UTF8.self).trimmingSpaces
            if field.hasPrefix("COMMAND=") {
                line.command = String(field.dropFirst(8))
                sawCommand = true
            } else if field.hasPrefix("USER=") {
                line.targetUser = String(field.dropFirst(5))
            } else if field.utf8.last == UInt8(ascii: "s") || field.utf8.last == UInt8(ascii: "t"),
                field.hasSuffix("incorrect password attempts") || field.hasSuffix("incorrect password attempt")
                    || field == "user NOT in sudoers"
            {
                line.kind = .sudoDenied
                line.detail = field
            }
        }
        return sawCommand ? line : nil
    }
}

extension String {
    fileprivate var nilIfEmpty: String? {
        isEmpty ? nil : self
    }

    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " {
            text = text.dropFirst()
        }
        while text.last == " " {
            text = text.dropLast()
        }
        return String(text)
    }
}
