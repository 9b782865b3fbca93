// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinRules

/// The principal of every combination of roles a token may carry, built once from the role
/// scopes, so verifying a token only names the principal.
struct JWTRoleTemplates: Sendable {
    private let templates: [Principal]

    /// Compiles the scope patterns and every combination of roles.
    ///
    /// - Throws: ``ServerSetupError`` `.jwtOption` for a scope on a role that cannot publish, or
    ///   a scope that is not a valid event pattern.
    init(scopes: [Role: JSONValue]) throws(ServerSetupError) {
        for (role, scope) in scopes.sorted(by: { $0.key < $1.key }) {
            guard role.permissions.contains(.publish) else {
                throw ServerSetupError(
                    code: .jwtOption,
                    message:
                        "--jwt-role-scope \(role.rawValue)=…: a scope limits what may be published, and \(role.rawValue) cannot publish; give it to publisher or admin"
                )
            }
            do {
                _ = try EventPattern(json: scope)
            } catch {
                throw ServerSetupError(
                    code: .jwtOption,
                    message: "--jwt-role-scope \(role.rawValue)=…: not a valid event pattern: \(error)"
                )
            }
        }
        var templates: [Principal] = []
        for mask in 0..<(1 << Role.allCases.count) {
            let roles = Self.roles(mask)
            let permissions = roles.reduce(into: Set<Permission>()) { $0.formUnion($1.permissions) }
            let source = Self.scope(for: roles, scopes: scopes)
            // Validated above; a combination of valid patterns under `$or` is valid.
            let scope = source.flatMap { try? EventPattern(json: $0) }
            templates.append(
                Principal(
                    name: "",
                    permissions: source != nil && scope == nil ? permissions.subtracting([.publish]) : permissions,
                    scope: scope,
                    scopeReadsData: KeyRing.readsData(source)
                )
            )
        }
        self.templates = templates
    }

    /// The principal named `name` holding `roles`.
    func principal(named name: String, roles: Set<Role>) -> Principal {
        var mask = 0
        for (index, role) in Role.allCases.enumerated() where roles.contains(role) {
            mask |= 1 << index
        }
        var principal = templates[mask]
        principal.name = name
        return principal
    }

    private static func roles(_ mask: Int) -> Set<Role> {
        Set(Role.allCases.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
    }

    /// The publish scope of a set of roles: `nil` when any publishing role is unscoped (or none
    /// publishes), the one pattern, or the patterns combined with `$or`.
    private static func scope(for roles: Set<Role>, scopes: [Role: JSONValue]) -> JSONValue? {
        let publishing = roles.filter { $0.permissions.contains(.publish) }.sorted()
        var patterns: [JSONValue] = []
        for role in publishing {
            guard let scope = scopes[role] else {
                return nil
            }
            if !patterns.contains(scope) {
                patterns.append(scope)
            }
        }
        switch patterns.count {
        case 0: return nil
        case 1: return patterns[0]
        default: return .object(JSONObject([.init(name: "$or", value: .array(patterns))]))
        }
    }
}
