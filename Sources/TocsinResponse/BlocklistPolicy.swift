// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What a blocklist target may hold: networks it never blocks and how many entries at most.
///
/// Pure: the blocklist action asks it before adding an entry, and the file writer asks it again
/// for every entry read back from the store, so a row that was tampered with or written under an
/// older policy never reaches the firewall.
public struct BlocklistPolicy: Sendable, Hashable {
    /// Loopback and link-local networks of both families: never blocked unless a target replaces
    /// `never_block`.
    public static let defaultNeverBlock: [IPRange] = ["127.0.0.0/8", "169.254.0.0/16", "::1/128", "fe80::/10"]
        .compactMap { try? IPRange.parseCIDR($0, allowsSingleAddress: true).get() }
    /// The default `max_entries`.
    public static let defaultMaxEntries = 10_000

    /// Networks no entry may overlap.
    public var neverBlock: [IPRange]
    /// The most active entries the blocklist may hold.
    public var maxEntries: Int

    /// Creates a policy.
    public init(neverBlock: [IPRange] = BlocklistPolicy.defaultNeverBlock, maxEntries: Int = defaultMaxEntries) {
        self.neverBlock = neverBlock
        self.maxEntries = maxEntries
    }

    /// The never-block network that `range` overlaps, if any.
    public func protectedNetwork(overlapping range: IPRange) -> IPRange? {
        neverBlock.first { Self.overlap($0, range) }
    }

    /// Why adding `range` is refused, given the `active` entries, or `nil` when it may be added.
    ///
    /// A refusal is a ``AttemptFailure/Kind/rejected`` failure, so the delivery is dead-lettered
    /// at once with that reason. Extending an entry that is already active never counts against
    /// `maxEntries`.
    public func refusal(adding range: IPRange, active: [BlocklistEntry]) -> AttemptFailure? {
        if let network = protectedNetwork(overlapping: range) {
            return AttemptFailure(
                kind: .rejected,
                message: "the address is inside never_block network \(network.text); it is never blocked"
            )
        }
        if active.count >= maxEntries, !active.contains(where: { $0.entry == range.text }) {
            return fullRefusal
        }
        return nil
    }

    /// The refusal of a new entry when the blocklist already holds `maxEntries` active entries.
    public var fullRefusal: AttemptFailure {
        AttemptFailure(
            kind: .rejected,
            message: "the blocklist is full: it holds max_entries (\(maxEntries)) active entries; "
                + "raise max_entries or shorten ttl_seconds"
        )
    }

    /// The entries of `stored` that are still valid, and how many were dropped.
    ///
    /// Valid: canonical text of an address or block of the right family, no wider than the
    /// blocklist allows, and outside every never-block network. At most `maxEntries` are kept, the
    /// most recently added first.
    public func validated(_ stored: [BlocklistEntry]) -> (valid: [BlocklistEntry], refused: Int) {
        var valid: [BlocklistEntry] = []
        for entry in stored {
            guard case .success(let canonical) = BlocklistFormat.canonical(.string(entry.entry)),
                canonical.entry == entry.entry, canonical.isV6 == entry.isV6,
                let range = Self.range(entry.entry), protectedNetwork(overlapping: range) == nil
            else {
                continue
            }
            valid.append(entry)
        }
        let kept = valid.sorted { $0.addedMilliseconds > $1.addedMilliseconds }.prefix(maxEntries)
        return (kept.sorted { $0.entry < $1.entry }, stored.count - kept.count)
    }

    /// The range of an address or CIDR text.
    public static func range(_ text: String) -> IPRange? {
        if let address = IPAddress.parse(text) {
            return IPRange(address: address)
        }
        return try? IPRange.parseCIDR(text, allowsSingleAddress: true).get()
    }

    /// Whether two blocks share an address: the shorter prefix's network holds the other's.
    static func overlap(_ first: IPRange, _ second: IPRange) -> Bool {
        guard first.isV6 == second.isV6 else {
            return false
        }
        let length = min(first.prefixLength, second.prefixLength)
        let one = IPRange(
            isV6: first.isV6,
            prefixLength: length,
            address: IPAddress(isV6: first.isV6, high: first.high, low: first.low)
        )
        let other = IPRange(
            isV6: second.isV6,
            prefixLength: length,
            address: IPAddress(isV6: second.isV6, high: second.high, low: second.low)
        )
        return one == other
    }
}
