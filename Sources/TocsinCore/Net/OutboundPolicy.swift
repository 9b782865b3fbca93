// SPDX-License-Identifier: Apache-2.0

/// Which addresses webhook-style targets may connect to.
///
/// Public addresses are always allowed. Any other class (loopback, link-local, private,
/// unique-local, unspecified, multicast, reserved) is refused unless the target allows private
/// networks or the address lies in one of the server's allowed networks
/// (`--allow-target-network`). The check is made on resolved addresses, at connect time.
public struct OutboundPolicy: Sendable, Hashable {
    /// The verdict on one address.
    public enum Verdict: Sendable, Hashable {
        /// The connection may be made.
        case allowed
        /// The connection is refused: the address is of this class.
        case refused(AddressClass)
    }

    /// Networks that are allowed whatever their class.
    public var allowedNetworks: [IPRange]

    /// Creates a policy that also allows `allowedNetworks`.
    public init(allowedNetworks: [IPRange] = []) {
        self.allowedNetworks = allowedNetworks
    }

    /// The verdict on connecting to `address` for a target that does or does not allow private
    /// networks.
    public func check(_ address: IPAddress, allowPrivateNetwork: Bool) -> Verdict {
        let addressClass = AddressClass.of(address)
        if addressClass == .publicInternet || allowPrivateNetwork {
            return .allowed
        }
        let embedded = AddressClass.embeddedIPv4(address)
        let isListed = allowedNetworks.contains { network in
            network.contains(address) || embedded.map { network.contains($0) } == true
        }
        return isListed ? .allowed : .refused(addressClass)
    }
}
