// SPDX-License-Identifier: Apache-2.0

#if NATS
import Testing
import TocsinNATS

/// How the event log decides which subjects a query's filter covers, for the events it reads from the
/// stream leader when a follower is a moment behind.
struct JetStreamRecordTests {
    @Test(
        "a filter covers its own subject, or every subject under a '>' prefix",
        arguments: [
            ("tocsin.events.auth%2Elogin", "tocsin.events.auth%2Elogin", true),
            ("tocsin.events.auth%2Elogin", "tocsin.events.auth%2Elogout", false),
            ("tocsin.events.test.ping", "tocsin.events.>", true),
            ("tocsin.events", "tocsin.events.>", false),
            ("tocsin.events.", "tocsin.events.>", false),
            ("tocsin.eventsx.a", "tocsin.events.>", false),
            ("tocsin.dlq.a", "tocsin.events.>", false),
        ]
    )
    func subjectFilters(subject: String, filter: String, matches: Bool) {
        #expect(JetStreamRecord.subject(subject, matches: filter) == matches)
    }
}
#endif
