// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The OCSF Network Activity (4001) view of a flow record.
enum VPCFlowOCSF {
    static func view(_ values: [String: String], time: Timestamp?) -> JSONValue {
        let action = values["action"]?.uppercased()
        var header = OCSFHeader(
            eventClass: .networkActivity,
            activityID: 6,
            activityName: "Traffic",
            time: time,
            succeeded: nil,
            product: "Amazon VPC",
            vendor: "AWS",
            logName: "VPC Flow Logs",
            uid: nil,
            originalTime: values["start"]
        )
        if action == "REJECT" {
            (header.activityID, header.activityName) = (5, "Refuse")
        }
        var event = header.object()
        let outbound = values["flowdirection"] == "egress"
        var source = OCSFObject.endpoint(
            address: values["pktsrcaddr"] ?? values["srcaddr"],
            port: integer(values["srcport"])
        )
        var destination = OCSFObject.endpoint(
            address: values["pktdstaddr"] ?? values["dstaddr"],
            port: integer(values["dstport"])
        )
        // The interface, subnet, VPC and instance belong to the local end of the flow.
        var local = OCSFObject()
        local.set("interface_uid", values["interfaceid"])
        local.set("vpc_uid", values["vpcid"])
        local.set("subnet_uid", values["subnetid"])
        local.set("instance_uid", values["instanceid"])
        for member in local.members {
            if outbound {
                source.set(member.name, value: member.value)
            } else {
                destination.set(member.name, value: member.value)
            }
        }
        if let packetSource = values["pktsrcaddr"], let source0 = values["srcaddr"], packetSource != source0 {
            source.set("intermediate_ips", value: .array([.string(source0)]))
        }
        if let packetDestination = values["pktdstaddr"], let destination0 = values["dstaddr"],
            packetDestination != destination0
        {
            destination.set("intermediate_ips", value: .array([.string(destination0)]))
        }
        event.set("src_endpoint", source)
        event.set("dst_endpoint", destination)
        var connection = OCSFObject()
        let protocolNumber = integer(values["protocol"])
        connection.set("protocol_num", protocolNumber)
        connection.set("protocol_name", protocolNumber.flatMap { protocolNames[$0] })
        connection.set("tcp_flags", integer(values["tcpflags"]))
        if let direction = values["flowdirection"] {
            connection.set("direction_id", direction == "ingress" ? 1 : direction == "egress" ? 2 : 0)
            connection.set(
                "direction",
                direction == "ingress" ? "Inbound" : direction == "egress" ? "Outbound" : "Unknown"
            )
        }
        event.set("connection_info", connection)
        var traffic = OCSFObject()
        traffic.set("bytes", integer(values["bytes"]))
        traffic.set("packets", integer(values["packets"]))
        event.set("traffic", traffic)
        event.set("start_time", milliseconds(unixSeconds: values["start"]))
        event.set("end_time", milliseconds(unixSeconds: values["end"]))
        if let action {
            let allowed = action == "ACCEPT"
            event.set("action_id", allowed ? 1 : 2)
            event.set("action", allowed ? "Allowed" : "Denied")
            event.set("disposition_id", allowed ? 1 : 2)
            event.set("disposition", allowed ? "Allowed" : "Blocked")
        }
        var cloud = OCSFObject()
        cloud.set("provider", "AWS")
        cloud.set("region", values["region"])
        var account = OCSFObject()
        account.set("uid", values["accountid"])
        cloud.set("account", account)
        event.set("cloud", cloud)
        return event.json
    }

    private static func integer(_ text: String?) -> Int64? {
        text.flatMap { Int64($0) }
    }

    /// Unix seconds as milliseconds; `nil` past what a timestamp can write (where `* 1000` overflows).
    private static func milliseconds(unixSeconds text: String?) -> Int64? {
        integer(text).flatMap { Timestamp(epochValue: $0, millisecondsPerUnit: 1000)?.epochMilliseconds }
    }

    private static let protocolNames: [Int64: String] = [
        1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6", 47: "gre", 50: "esp",
    ]
}
