// SPDX-License-Identifier: Apache-2.0

/// Checks on member names that change what a detector accepts.
enum ComplianceNames {
    /// Whether `secret` (any case) starts at `index` in `bytes`.
    static func isSecret(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let word: StaticString = "secret"
        let count = word.utf8CodeUnitCount
        guard index >= 0, index + count <= bytes.count else {
            return false
        }
        for offset in 0..<count where ASCII.lowercased(bytes[index + offset]) != word.utf8Start[offset] {
            return false
        }
        return true
    }

    /// Whether the member name `name` mentions a secret (`SecretAccessKey`, `aws_secret_access_key`).
    static func mentionsSecret(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count >= 6 else {
            return false
        }
        for index in 0...(name.count - 6) where ASCII.lowercased(name[index]) == UInt8(ascii: "s") {
            if isSecret(name, at: index) {
                return true
            }
        }
        return false
    }
}
