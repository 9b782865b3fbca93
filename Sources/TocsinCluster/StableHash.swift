// SPDX-License-Identifier: Apache-2.0

/// The one hash that cluster placement uses: the same on every node, in every process and across
/// restarts, unlike `Hasher`.
///
/// 64-bit FNV-1a over the bytes, then the MurmurHash3 `fmix64` finaliser, so that the low bits
/// (which a modulo keeps) depend on every input byte. A list of strings hashes each one's UTF-8
/// bytes followed by a 0xFF byte, which no UTF-8 text contains, so `["ab", "c"]` and `["a", "bc"]`
/// differ. Changing any constant here moves partitions between releases: the tests pin its values.
public enum StableHash: Sendable {
    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash of a list of strings.
    public static func hash(_ values: [String]) -> UInt64 {
        var state = offsetBasis
        for value in values {
            for byte in value.utf8 {
                state = (state ^ UInt64(byte)) &* prime
            }
            state = (state ^ 0xFF) &* prime
        }
        return finalize(state)
    }

    /// The hash of raw bytes.
    public static func hash(bytes: some Sequence<UInt8>) -> UInt64 {
        var state = offsetBasis
        for byte in bytes {
            state = (state ^ UInt64(byte)) &* prime
        }
        return finalize(state)
    }

    /// MurmurHash3's 64-bit finaliser: every input bit flips each output bit with probability ½.
    static func finalize(_ value: UInt64) -> UInt64 {
        var mixed = value
        mixed ^= mixed >> 33
        mixed &*= 0xff51_afd7_ed55_8ccd
        mixed ^= mixed >> 33
        mixed &*= 0xc4ce_b9fe_1a85_ec53
        mixed ^= mixed >> 33
        return mixed
    }
}
