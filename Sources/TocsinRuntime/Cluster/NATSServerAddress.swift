// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// One entry of a NATS seed list, read strictly: `nats://` or `tls://` (lower case), a host name,
/// IPv4 address or bracketed IPv6 address, and a port; nothing else.
///
/// User information, paths, queries and fragments are refused: a URL such as
/// `nats://:x@127.0.0.1:4222/@evil.com:4222` reads as loopback to one parser and as `evil.com` to
/// libnats, which would defeat the checks on anonymous and clear-text connections. The client is
/// given ``url``, rebuilt from the parsed parts, so both sides see the same host.
public struct NATSServerAddress: Sendable, Hashable {
    /// Whether the scheme is `tls://`.
    public let usesTLS: Bool
    /// The host, without brackets for IPv6.
    public let host: String
    /// The port.
    public let port: Int

    /// The URL the NATS client is given.
    public var url: String {
        (usesTLS ? "tls://" : "nats://") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// Whether the host is a loopback address or `localhost`.
    public var isLoopback: Bool {
        RuntimeConfiguration.isLoopback(host)
    }

    /// Parses one entry; `nil` when it is not exactly `scheme://host:port`.
    public static func parse(_ text: String) -> NATSServerAddress? {
        let usesTLS: Bool
        let rest: Substring
        if text.hasPrefix("nats://") {
            (usesTLS, rest) = (false, text.dropFirst("nats://".count))
        } else if text.hasPrefix("tls://") {
            (usesTLS, rest) = (true, text.dropFirst("tls://".count))
        } else {
            return nil
        }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
            guard IPAddress.parse(String(host)) != nil, host.contains(":") else {
                return nil
            }
        } else {
            guard let colon = rest.lastIndex(of: ":") else {
                return nil
            }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
            guard !host.isEmpty, host.utf8.count <= 253,
                host.unicodeScalars.allSatisfy({
                    $0.isASCII && ($0.properties.isAlphabetic || "0123456789.-".unicodeScalars.contains($0))
                })
            else {
                return nil
            }
        }
        guard (1...5).contains(portText.count), portText.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }),
            let port = Int(portText),
            (1...65_535).contains(port)
        else {
            return nil
        }
        return NATSServerAddress(usesTLS: usesTLS, host: String(host), port: port)
    }

    /// Parses a comma-separated seed list (spaces around entries are ignored).
    ///
    /// - Returns: The addresses, or the problem naming the first bad entry (counted from 1).
    public static func parseList(_ list: String) -> Result<[NATSServerAddress], NATSServerListProblem> {
        let entries = list.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
        guard !entries.isEmpty else {
            return .failure(.empty)
        }
        var addresses: [NATSServerAddress] = []
        for (index, entry) in entries.enumerated() {
            guard let address = parse(entry) else {
                return .failure(.badEntry(index + 1))
            }
            addresses.append(address)
        }
        return .success(addresses)
    }
}

/// Why a NATS seed list was refused.
public enum NATSServerListProblem: Error, Sendable, Hashable {
    /// The list has no entry.
    case empty
    /// The entry at this position (from 1) is not `nats://host:port` or `tls://host:port`.
    case badEntry(Int)
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
