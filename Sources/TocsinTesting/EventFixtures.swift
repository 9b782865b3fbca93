// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Builders for valid test events.
public enum EventFixtures: Sendable {
    /// A valid `ssh.login.failed` event with JSON data of about `payloadBytes` bytes.
    public static func sshFailure(id: String, source: String = "/ssh/bastion-1", payloadBytes: Int = 64) -> CloudEvent {
        let padding = String(repeating: "x", count: max(0, payloadBytes - 48))
        let data = #"{"user":"root","ip":"203.0.113.9","note":"\#(padding)"}"#
        return CloudEvent(
            id: id,
            source: source,
            type: "ssh.login.failed",
            dataContentType: "application/json",
            subject: "root",
            time: Timestamp(rfc3339: "2026-11-25T10:00:00Z"),
            data: .json(Array(data.utf8))
        )
    }
}
