// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The OCSF view of sshd, PAM and sudo lines.
enum OCSFAuthentication {
    static func view(_ line: AuthenticationLine, message: SyslogMessage, time: Timestamp) -> JSONValue {
        var members: [JSONObject.Member] = []
        members.reserveCapacity(20)
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
            .init(name: "class_uid", value: number(classUID)),
            .init(name: "class_name", value: .string(className)),
            .init(name: "category_uid", value: number(categoryUID)),
            .init(name: "activity_id", value: number(activityID)),
            .init(name: "activity_name", value: .string(activity)),
            .init(name: "type_uid", value: number(classUID * 100 + activityID)),
            .init(name: "time", value: number(time.epochMilliseconds)),
            .init(name: "severity_id", value: number(success == false ? 3 : 1)),
        ]
        if let success {
            members.append(.init(name: "status_id", value: number(success ? 1 : 2)))
            members.append(.init(name: "status", value: .string(success ? "Success" : "Failure")))
        }
        if let detail = line.detail {
            members.append(.init(name: "status_detail", value: .string(detail)))
        }
        if let user = line.user {
            members.append(.init(name: "user", value: object([.init(name: "name", value: .string(user))])))
        }
        var source: [JSONObject.Member] = []
        if let address = line.address {
            source.append(.init(name: IPAddress.parse(address) == nil ? "hostname" : "ip", value: .string(address)))
        }
        if let port = line.port {
            source.append(.init(name: "port", value: number(Int64(port))))
        }
        if !source.isEmpty {
            members.append(.init(name: "src_endpoint", value: object(source)))
        }
        if let host = message.hostname {
            members.append(.init(name: "dst_endpoint", value: object([.init(name: "hostname", value: .string(host))])))
        }
        if let method = line.method {
            members.append(.init(name: "auth_protocol", value: .string(method)))
        }
        if let target = line.targetUser {
            members.append(.init(name: "privileges", value: .array([.string(target)])))
        }
        if let command = line.command {
            members.append(.init(name: "unmapped", value: object([.init(name: "command", value: .string(command))])))
        }
        members.append(.init(name: "message", value: .string(message.message)))
        members.append(
            .init(
                name: "metadata",
                value:
                    object([
                        .init(name: "version", value: .string("1.8.0")),
                        .init(
                            name: "product",
                            value: object([
                                .init(
                                    name: "name",
                                    value: .string(line.kind.rawValue.hasPrefix("sudo") ? "sudo" : "OpenSSH")
                                ),
                                .init(
                                    name: "vendor_name",
                                    value: .string(line.kind.rawValue.hasPrefix("sudo") ? "sudo project" : "OpenBSD")
                                ),
                            ])
                        ),
                        .init(name: "log_name", value: .string("syslog")),
                        .init(name: "original_time", value: message.timeText.map(JSONValue.string) ?? .null),
                    ])
            )
        )
        return object(members)
    }

    private static func number(_ value: Int64) -> JSONValue {
        .number(JSONNumber(value))
    }

    private static func object(_ members: [JSONObject.Member]) -> JSONValue {
        .object(JSONObject(members))
    }
}
