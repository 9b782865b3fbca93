// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The OCSF view of sshd, PAM and sudo lines.
enum OCSFAuthentication {
    static func view(_ line: AuthenticationLine, message: SyslogMessage, time: Timestamp) -> JSONValue {
        let (eventClass, activityID, activity): (OCSFClass, Int64, String)
        switch line.kind {
        case .loginSucceeded, .loginFailed, .invalidUser, .pamFailure, .sessionOpened:
            (eventClass, activityID, activity) = (.authentication, 1, "Logon")
        case .sessionClosed:
            (eventClass, activityID, activity) = (.authentication, 2, "Logoff")
        case .connectionClosed, .disconnected:
            (eventClass, activityID, activity) = (.sshActivity, 2, "Close")
        case .sudoCommand, .sudoDenied:
            (eventClass, activityID, activity) = (.authorizeSession, 1, "Assign Privileges")
        }
        let success: Bool? =
            switch line.kind {
            case .loginSucceeded, .sessionOpened, .sessionClosed, .sudoCommand: true
            case .loginFailed, .invalidUser, .pamFailure, .sudoDenied: false
            case .connectionClosed, .disconnected: nil
            }
        let isSudo = line.kind == .sudoCommand || line.kind == .sudoDenied
        var event = OCSFHeader(
            eventClass: eventClass,
            activityID: activityID,
            activityName: activity,
            time: time,
            succeeded: success,
            severityID: success == false ? 3 : 1,
            product: isSudo ? "sudo" : "OpenSSH",
            vendor: isSudo ? "sudo project" : "OpenBSD",
            logName: "syslog",
            uid: nil,
            originalTime: message.timeText
        ).object()
        event.set("status_detail", line.detail)
        if let user = line.user {
            var userObject = OCSFObject()
            userObject.set("name", user)
            event.set("user", userObject)
        }
        var source = OCSFObject()
        if let address = line.address {
            source.set(IPAddress.parse(address) == nil ? "hostname" : "ip", address)
        }
        source.set("port", line.port.map(Int64.init))
        event.set("src_endpoint", source)
        var destination = OCSFObject()
        destination.set("hostname", message.hostname)
        event.set("dst_endpoint", destination)
        event.set("auth_protocol", line.method)
        event.set("privileges", value: line.targetUser.map { .array([.string($0)]) })
        var unmapped = OCSFObject()
        unmapped.set("command", line.command)
        event.set("unmapped", unmapped)
        event.set("message", message.message)
        return event.json
    }
}
