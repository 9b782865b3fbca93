// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources

/// `--syslog-allow`: which senders may send syslog.
struct SyslogAllowListTests {
    static func address(_ text: String) -> IPAddress {
        IPAddress.parse(text)!
    }

    @Test func loopbackOnlyByDefault() {
        let list = SyslogAllowList.loopback
        #expect(list.allows(Self.address("127.0.0.1")) && list.allows(Self.address("127.255.0.9")))
        #expect(list.allows(Self.address("::1")))
        #expect(!list.allows(Self.address("10.0.0.1")) && !list.allows(Self.address("::2")))
        #expect(list.allows(Self.address("::ffff:7f00:1")), "an IPv4 loopback sender on an IPv6 socket")
        #expect(list.isLoopbackOnly)
    }

    @Test func blocksAndSingleAddressesAreParsed() throws {
        let list = try SyslogAllowList(parsing: ["10.0.0.0/8", " 192.0.2.7 ", "2001:db8::/32", "127.0.0.1/32"])
        #expect(list.allows(Self.address("10.200.3.4")) && list.allows(Self.address("192.0.2.7")))
        #expect(!list.allows(Self.address("192.0.2.8")) && !list.allows(Self.address("11.0.0.1")))
        #expect(list.allows(Self.address("2001:db8:1::5")) && !list.allows(Self.address("2001:db9::1")))
        #expect(list.allows(Self.address("::ffff:a00:1")), "10.0.0.1 mapped into IPv6")
        #expect(!list.isLoopbackOnly)
        #expect(try SyslogAllowList(parsing: ["127.0.0.1/32", "::1"]).isLoopbackOnly)
    }

    @Test(arguments: ["10.0.0.0/33", "host.example", "10.0.0.0/8/1", "", "10.0.0.0/-1"])
    func invalidEntriesNameTheEntryAndTheFix(entry: String) {
        #expect {
            try SyslogAllowList(parsing: ["127.0.0.1", entry])
        } throws: { error in
            let text = "\(error)"
            return text.contains("\"\(entry)\"") && text.count > entry.count + 10
        }
    }
}
