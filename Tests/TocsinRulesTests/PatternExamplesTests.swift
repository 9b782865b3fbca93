// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinRules

/// The examples of docs/patterns.md, each with an event it must match and one it must not.
struct PatternExamplesTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let name: String
        let pattern: String
        let matching: String
        let other: String
        var testDescription: String { name }
    }

    static let examples: [Example] = [
        Example(
            name: "console sign-in without MFA",
            pattern: #"""
                {"data": {"eventSource": ["signin.amazonaws.com"], "eventName": ["ConsoleLogin"],
                          "additionalEventData": {"MFAUsed": ["No"]},
                          "responseElements": {"ConsoleLogin": ["Success"]}}}
                """#,
            matching: #"""
                {"type":"aws.cloudtrail","data":{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin",
                 "additionalEventData":{"LoginTo":"https://console.aws.amazon.com/","MobileVersion":"No","MFAUsed":"No"},
                 "responseElements":{"ConsoleLogin":"Success"},"sourceIPAddress":"198.51.100.4"}}
                """#,
            other: #"""
                {"data":{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin",
                 "additionalEventData":{"MFAUsed":"Yes"},"responseElements":{"ConsoleLogin":"Success"}}}
                """#
        ),
        Example(
            name: "security group opened to the world on SSH",
            pattern: #"""
                {"data": {"eventName": ["AuthorizeSecurityGroupIngress"],
                          "requestParameters": {"ipPermissions": {"items": {
                              "fromPort": [{"numeric": ["<=", 22]}], "toPort": [{"numeric": [">=", 22]}],
                              "ipRanges": {"items": {"cidrIp": ["0.0.0.0/0"]}}}}}}}
                """#,
            matching: #"""
                {"data":{"eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupId":"sg-1",
                 "ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,
                 "ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}}
                """#,
            other: #"""
                {"data":{"eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"ipPermissions":{"items":[
                 {"fromPort":443,"toPort":443,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}},
                 {"fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}}]}}}}
                """#
        ),
        Example(
            name: "Kubernetes exec into a pod",
            pattern: #"""
                {"data": {"verb": ["create", "get"], "objectRef": {"resource": ["pods"], "subresource": ["exec", "attach"]},
                          "user": {"groups": [{"anything-but": "oncall:break-glass"}]}}}
                """#,
            matching: #"""
                {"data":{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"create",
                 "user":{"username":"alice","groups":["system:authenticated"]},
                 "objectRef":{"resource":"pods","namespace":"prod","name":"api-0","subresource":"exec"}}}
                """#,
            other: #"""
                {"data":{"verb":"create","user":{"username":"bob","groups":["oncall:break-glass"]},
                 "objectRef":{"resource":"pods","subresource":"exec"}}}
                """#
        ),
        Example(
            name: "sshd failures from outside the corporate network",
            pattern: #"""
                {"type": ["ssh.login.failed"],
                 "data": {"ip": [{"anything-but": {"prefix": ["10.", "192.168."]}}], "user": [{"exists": true}]}}
                """#,
            matching: #"{"type":"ssh.login.failed","data":{"user":"root","ip":"203.0.113.9"}}"#,
            other: #"{"type":"ssh.login.failed","data":{"user":"root","ip":"10.1.2.3"}}"#
        ),
        Example(
            name: "root activity from a watched range",
            pattern: #"""
                {"data": {"userIdentity": {"type": ["Root"]},
                          "sourceIPAddress": [{"cidr": "203.0.113.0/24"}, {"cidr": "2001:db8::/32"}]}}
                """#,
            matching: #"{"data":{"userIdentity":{"type":"Root"},"sourceIPAddress":"2001:DB8:0:0::7"}}"#,
            other: #"{"data":{"userIdentity":{"type":"Root"},"sourceIPAddress":"198.51.100.7"}}"#
        ),
    ]

    @Test(arguments: examples)
    func documentedExampleBehaves(_ example: Example) throws {
        let pattern = try EventPattern(text: example.pattern)
        let machine = PatternMachine(rules: [.init(name: example.name, pattern: pattern)])
        let matching = try JSONParser().parse(example.matching)
        let other = try JSONParser().parse(example.other)
        #expect(pattern.matches(matching))
        #expect(!pattern.matches(other))
        #expect(machine.matchingRules(matching) == [example.name])
        #expect(machine.matchingRules(other).isEmpty)
    }
}
