// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The OCSF view of sshd, PAM and sudo lines.
enum OCSFAuthentication {
    static func view(_ line: AuthenticationLine, message: SyslogMessage, time: Timestamp) -> JSONValue {
        var members: [(String, JSONValue)] = []
        let (classUID, className, categoryUID, activityID, activity): (Int64, String, Int64, Int64, String)
        switch line.kind {
        case .loginSucceeded, .loginFailed, .invalidUser, .pamFailure, .sessionOpened:
            (classUID, className, categoryUID, activityID, activity) = (3002, "Authentication", 3, 1, "Logon")
        case .sessionClosed:
            (classUID, className, categoryUID, activityID, activity) = (3002, "Authentication", 3, 2, "Logoff")
        case .connectionClosed, .disconnected:
            (classUID, className, categoryUID, activityID, activity) = (4007, "SSH Activity", 4, 2, "Close")
        case .sudoCommand, .sudoDenied:
            (classUID, className, categoryUID, activityID, activity) = (
                3003, "Authorize Session", 3, 1, "Assign Privileges"
            )
        }
        let success: Bool? =
            switch line.kind {
            case .loginSucceeded, .sessionOpened, .sessionClosed, .sudoCommand: true
            case .loginFailed, .invalidUser, .pamFailure, .sudoDenied: false
            case .connectionClosed, .disconnected: nil
            }
        members += [
            ("class_uid", number(classUID)),
            ("class_name", .string(className)),
            ("category_uid", number(categoryUID)),
            ("activity_id", number(activityID)),
            ("activity_name", .string(activity)),
            ("type_uid", number(classUID * 100 + activityID)),
            ("time", number(time.epochMilliseconds)),
            ("severity_id", number(success == false ? 3 : 1)),
        ]
        if let success {
            members.append(("status_id", number(success ? 1 : 2)))
            members.append(("status", .string(success ? "Success" : "Failure")))
        }
        if let detail = line.detail {
            members.append(("status_detail", .string(detail)))
        }
        if let user = line.user {
            members.append(("user", object([("name", .string(user))])))
        }
        var source: [(String, JSONValue)] = []
        if let address = line.address {
            source.append((IPAddress.parse(address) == nil ? "hostname" : "ip", .string(address)))
        }
        if let port = line.port {
            source.append(("port", number(Int64(port))))
        }
        if !source.isEmpty {
            members.append(("src_endpoint", object(source)))
        }
        if let host = message.hostname {
            members.append(("dst_endpoint", object([("hostname", .string(host))])))
        }
        if let method = line.method {
            members.append(("auth_protocol", .string(method)))
        }
        if let target = line.targetUser {
            members.append(("privileges", .array([.string(target)])))
        }
        if let command = line.command {
            members.append(("unmapped", object([("command", .string(command))])))
        }
        members.append(("message", .string(message.message)))
        members.append(
            (
                "metadata",
                object([
                    ("version", .string("1.8.0")),
                    (
                        "product",
                        object([
                            ("name", .string(line.kind.rawValue.hasPrefix("sudo") ? "sudo" : "OpenSSH")),
                            ("vendor_name", .string(line.kind.rawValue.hasPrefix("sudo") ? "sudo project" : "OpenBSD")),
                        ])
                    ),
                    ("log_name", .string("syslog")),
                    ("original_time", message.timeText.map(JSONValue.string) ?? .null),
                ])
            )
        )
        return object(members)
    }

    private static func number(_ value: Int64) -> JSONValue {
        .number(JSONNumber(value))
    }

    private static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members.map { JSONObject.Member(name: $0.0, value: $0.1) }))
    }
}
