// SPDX-License-Identifier: Apache-2.0

import FuzzSupport
import TocsinSources

/// The collector's clock for RFC 3164 lines (which carry no year): 2025-11-05T00:00:00Z.
private let referenceMilliseconds: Int64 = 1_762_300_800_000

/// One input: a syslog line, and also a TCP stream.
///
/// The line goes through the parser and the normaliser (sshd, PAM and sudo classification). The
/// stream is framed (RFC 6587, in two reads cut in the middle) and every message it yields is
/// normalised too.
private func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let normalizer = SyslogNormalizer(referenceMilliseconds: referenceMilliseconds)
    let line = String(decoding: input.bytes, as: UTF8.self)
    _ = try? SyslogParser(referenceMilliseconds: referenceMilliseconds).parse(line)
    _ = try? normalizer.normalize(line)
    var framer = SyslogFramer(maxMessageBytes: 2048)
    let middle = input.bytes.count / 2
    var messages: [[UInt8]] = []
    do {
        messages += try framer.append(input.bytes[..<middle])
        messages += try framer.append(input.bytes[middle...])
        messages += framer.finish().map { [$0] } ?? []
    } catch {
        // A framing error closes the connection; the messages before it still count.
    }
    for message in messages {
        _ = try? normalizer.normalize(String(decoding: message, as: UTF8.self))
    }
    return 0
}

/// Runs libFuzzer on ``testOneInput(_:_:)``.
@main
enum FuzzSyslog {
    static func main() {
        FuzzDriver.run(testOneInput)
    }
}
