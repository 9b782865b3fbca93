// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Builds an OCSF object member by member, leaving out what the record does not have.
struct OCSFObject {
    private(set) var members: [JSONObject.Member] = []

    init() {}

    /// An object that will hold about `capacity` members (a class's top-level view).
    init(capacity: Int) {
        members.reserveCapacity(capacity)
    }

    var isEmpty: Bool {
        members.isEmpty
    }

    var json: JSONValue {
        .object(JSONObject(members))
    }

    /// Appends a member; the first one reserves room for eight, so an object grows once at most
    /// and an empty one allocates nothing.
    private mutating func append(_ member: JSONObject.Member) {
        if members.capacity == 0 {
            members.reserveCapacity(8)
        }
        members.append(member)
    }

    mutating func set(_ name: String, _ text: String?) {
        if let text {
            append(.init(name: name, value: .string(text)))
        }
    }

    mutating func set(_ name: String, _ number: Int64?) {
        if let number {
            append(.init(name: name, value: .number(JSONNumber(number))))
        }
    }

    mutating func set(_ name: String, _ flag: Bool?) {
        if let flag {
            append(.init(name: name, value: .bool(flag)))
        }
    }

    /// Adds a nested object unless it is empty.
    mutating func set(_ name: String, _ object: OCSFObject) {
        if !object.isEmpty {
            append(.init(name: name, value: object.json))
        }
    }

    /// Adds a JSON value as it is (an array of objects, a copied vendor member).
    mutating func set(_ name: String, value: JSONValue?) {
        if let value {
            append(.init(name: name, value: value))
        }
    }

    /// An endpoint: `ip` when `address` is an IP address, else `domain` (a service name such as
    /// `cloudformation.amazonaws.com`, or `AWS Internal`).
    static func endpoint(address: String?, port: Int64? = nil) -> OCSFObject {
        var endpoint = OCSFObject()
        if let address {
            endpoint.set(IPAddress.parse(address) == nil ? "domain" : "ip", address)
        }
        endpoint.set("port", port)
        return endpoint
    }
}

extension OCSFObject {
    /// `cloud`: provider, region and account.
    static func cloud(provider: String, region: String?, account: String?) -> OCSFObject {
        var cloud = OCSFObject()
        cloud.set("provider", provider)
        cloud.set("region", region)
        var accountObject = OCSFObject()
        accountObject.set("uid", account)
        cloud.set("account", accountObject)
        return cloud
    }

    /// `{"name": …}` wrapped as `{"user": …}` style objects need: a user with a name, uid and type.
    static func user(name: String?, uid: String? = nil, type: String? = nil, email: String? = nil) -> OCSFObject {
        var user = OCSFObject()
        user.set("name", name)
        user.set("uid", uid)
        user.set("type", type)
        user.set("email_addr", email)
        return user
    }

    /// An object with the single member `name: value` (`actor.user`, `http_request.user_agent`).
    static func single(_ name: String, _ value: OCSFObject) -> OCSFObject {
        var object = OCSFObject()
        object.set(name, value)
        return object
    }

    /// An object with the single string member `name: text`, empty when `text` is `nil`.
    static func single(_ name: String, _ text: String?) -> OCSFObject {
        var object = OCSFObject()
        object.set(name, text)
        return object
    }
}

/// The OCSF event classes Tocsin maps records to (schema 1.8.0).
struct OCSFClass {
    let uid: Int64
    let name: String
    let categoryUID: Int64
    let categoryName: String

    static let accountChange = OCSFClass(uid: 3001, name: "Account Change", categoryUID: 3, categoryName: identity)
    static let authentication = OCSFClass(uid: 3002, name: "Authentication", categoryUID: 3, categoryName: identity)
    static let authorizeSession = OCSFClass(
        uid: 3003,
        name: "Authorize Session",
        categoryUID: 3,
        categoryName: identity
    )
    static let networkActivity = OCSFClass(uid: 4001, name: "Network Activity", categoryUID: 4, categoryName: network)
    static let sshActivity = OCSFClass(uid: 4007, name: "SSH Activity", categoryUID: 4, categoryName: network)
    static let apiActivity = OCSFClass(
        uid: 6003,
        name: "API Activity",
        categoryUID: 6,
        categoryName: "Application Activity"
    )
    static let detectionFinding = OCSFClass(
        uid: 2004,
        name: "Detection Finding",
        categoryUID: 2,
        categoryName: "Findings"
    )

    private static let identity = "Identity & Access Management"
    private static let network = "Network Activity"
}

/// The members every OCSF event has, in one place.
struct OCSFHeader {
    var eventClass: OCSFClass
    var activityID: Int64
    var activityName: String
    var time: Timestamp?
    /// `true` Success, `false` Failure, `nil` when the record does not say.
    var succeeded: Bool?
    var severityID: Int64 = 1
    var product: String
    var vendor: String
    var logName: String
    var uid: String?
    var originalTime: String?

    /// The event object with the header members set; callers add the class's own members.
    func object() -> OCSFObject {
        var event = OCSFObject(capacity: 32)
        event.set("class_uid", eventClass.uid)
        event.set("class_name", eventClass.name)
        event.set("category_uid", eventClass.categoryUID)
        event.set("category_name", eventClass.categoryName)
        event.set("activity_id", activityID)
        event.set("activity_name", activityName)
        event.set("type_uid", eventClass.uid * 100 + activityID)
        event.set("time", time?.epochMilliseconds ?? 0)
        event.set("time_dt", time?.text)
        event.set("severity_id", severityID)
        event.set("severity", Self.severityName(severityID))
        if let succeeded {
            event.set("status_id", succeeded ? 1 : 2)
            event.set("status", succeeded ? "Success" : "Failure")
        }
        var productObject = OCSFObject()
        productObject.set("name", product)
        productObject.set("vendor_name", vendor)
        var metadata = OCSFObject()
        metadata.set("version", "1.8.0")
        metadata.set("product", productObject)
        metadata.set("log_name", logName)
        metadata.set("uid", uid)
        metadata.set("original_time", originalTime)
        event.set("metadata", metadata)
        return event
    }

    private static func severityName(_ id: Int64) -> String {
        switch id {
        case 0: "Unknown"
        case 1: "Informational"
        case 2: "Low"
        case 3: "Medium"
        case 4: "High"
        case 5: "Critical"
        case 6: "Fatal"
        default: "Other"
        }
    }
}

/// The CRUD activity of an API operation, from its verb (`CreateUser`, `DescribeInstances`,
/// `v1.compute.instances.delete`, `Microsoft.Compute/virtualMachines/write`).
enum APIVerb {
    /// The OCSF API activity of `operation` from its verb: the last dotted or slashed part when the
    /// name is qualified (`compute.instances.insert` → `insert`), else the whole name
    /// (`CreateUser`), compared case-insensitively with the verb prefixes of each activity.
    static func activity(_ operation: String) -> (id: Int64, name: String) {
        var operation = operation
        return operation.withUTF8 { bytes in
            var end = bytes.count
            while end > 0, isSeparator(bytes[end - 1]) {
                end -= 1
            }
            var start = end
            while start > 0, !isSeparator(bytes[start - 1]) {
                start -= 1
            }
            let verb = UnsafeBufferPointer(rebasing: bytes[start..<end])
            for (id, name, prefixes) in table where prefixes.contains(where: { hasPrefix(verb, $0) }) {
                return (id, name)
            }
            return (99, "Other")
        }
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
    }

    /// Whether `verb` starts with `prefix` (lower-case ASCII), ignoring ASCII case.
    private static func hasPrefix(_ verb: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        guard verb.count >= prefix.utf8CodeUnitCount else {
            return false
        }
        return prefix.withUTF8Buffer { prefix in
            for index in 0..<prefix.count {
                let byte = verb[index]
                let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                if lower != prefix[index] {
                    return false
                }
            }
            return true
        }
    }

    private static let table: [(Int64, String, [StaticString])] = [
        (2, "Read", ["get", "list", "describe", "head", "lookup", "search", "batchget", "read", "watch", "view"]),
        (1, "Create", ["create", "add", "insert", "run", "launch", "register", "allocate", "import", "write", "copy"]),
        (
            3, "Update",
            [
                "update", "put", "modify", "set", "patch", "attach", "associate", "enable", "disable", "replace",
                "change", "tag", "untag", "stop", "start", "reboot", "reset", "restore", "authorize", "assign",
            ]
        ),
        (
            4, "Delete",
            [
                "delete", "remove", "detach", "disassociate", "terminate", "revoke", "destroy", "deregister", "purge",
                "deletecollection",
            ]
        ),
    ]
}
