// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

/// The outbound network policy's address classes and verdicts, as tables.
struct OutboundPolicyTests {
    @Test(
        "address classes",
        arguments: [
            ("8.8.8.8", AddressClass.publicInternet),
            ("203.0.113.9", .publicInternet),
            ("0.0.0.0", .unspecified),
            ("0.1.2.3", .unspecified),
            ("127.0.0.1", .loopback),
            ("127.255.0.9", .loopback),
            ("169.254.169.254", .linkLocal),
            ("10.0.0.1", .privateNetwork),
            ("172.16.0.1", .privateNetwork),
            ("172.31.255.255", .privateNetwork),
            ("172.32.0.1", .publicInternet),
            ("192.168.1.1", .privateNetwork),
            ("100.64.0.1", .sharedAddressSpace),
            ("100.128.0.1", .publicInternet),
            ("224.0.0.1", .multicast),
            ("255.255.255.255", .reserved),
            ("192.0.0.8", .reserved),
            ("::", .unspecified),
            ("::1", .loopback),
            ("fe80::1", .linkLocal),
            ("fc00::1", .uniqueLocal),
            ("fd12:3456::1", .uniqueLocal),
            ("fec0::1", .uniqueLocal),
            ("ff02::1", .multicast),
            ("2001:4860:4860::8888", .publicInternet),
            ("::ffff:7f00:1", .loopback),
            ("::ffff:a9fe:a9fe", .linkLocal),
            ("::ffff:808:808", .publicInternet),
            ("::ffff:0:0", .unspecified),
            ("::7f00:1", .loopback),
            ("64:ff9b::a00:1", .privateNetwork),
            ("2002:7f00:1::1", .loopback),
            ("2002:808:808::1", .publicInternet),
        ]
    )
    func classes(_ text: String, _ expected: AddressClass) throws {
        let address = try #require(IPAddress.parse(text))
        #expect(AddressClass.of(address) == expected)
    }

    @Test(
        "verdicts: public always, others only when the target allows private networks or a listed network holds them",
        arguments: [
            ("8.8.8.8", false, [String](), OutboundPolicy.Verdict.allowed),
            ("127.0.0.1", false, [], .refused(.loopback)),
            ("127.0.0.1", true, [], .allowed),
            ("127.0.0.1", false, ["127.0.0.0/8"], .allowed),
            ("127.0.0.1", false, ["10.0.0.0/8"], .refused(.loopback)),
            ("::ffff:7f00:1", false, ["127.0.0.0/8"], .allowed),
            ("::1", false, ["127.0.0.0/8"], .refused(.loopback)),
            ("::1", false, ["::1/128"], .allowed),
            ("169.254.169.254", false, ["169.254.0.0/16"], .allowed),
            ("169.254.169.254", false, [], .refused(.linkLocal)),
            ("10.2.3.4", false, ["10.2.0.0/16"], .allowed),
            ("10.3.3.4", false, ["10.2.0.0/16"], .refused(.privateNetwork)),
            ("fd00::5", false, [], .refused(.uniqueLocal)),
            ("0.0.0.0", false, [], .refused(.unspecified)),
            ("::", false, [], .refused(.unspecified)),
        ]
    )
    func verdicts(_ text: String, _ allowPrivate: Bool, _ networks: [String], _ expected: OutboundPolicy.Verdict) throws
    {
        let address = try #require(IPAddress.parse(text))
        let ranges = try networks.map { try IPRange.parseCIDR($0, allowsSingleAddress: true).get() }
        let policy = OutboundPolicy(allowedNetworks: ranges)
        #expect(policy.check(address, allowPrivateNetwork: allowPrivate) == expected)
    }
}
