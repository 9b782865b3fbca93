// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// The settings of one kind of target: what follows `kind:` in a target definition.
///
/// Each kind is one type that reads its own keys, says how it is shown with its secrets redacted
/// and whether only the host's files may define it. The types live in `TocsinActions`, next to the
/// step that performs them; this module only reads definitions through a ``TargetKinds`` registry
/// it is given, so it stays pure and knows no kind by name.
public protocol TargetSettings: Sendable {
    /// The `kind` string (`webhook`, `slack`, `blocklist`).
    static var kindName: String { get }

    /// Reads the kind's keys from the definition object.
    ///
    /// Every key the kind reads must go through `reader`, so unknown keys are reported. Problems
    /// are added to `reader.diagnostics`, located by JSON path.
    /// - Parameter reader: The definition object, with the common keys already read.
    /// - Returns: The settings, or `nil` when a required key is missing or malformed.
    static func read(_ reader: inout ObjectReader) -> Self?

    /// The kind's members as the API and `tocsin.target.*` events show them.
    ///
    /// Secrets, header values and URLs that carry credentials appear only as `redactor`'s keyed
    /// fingerprint.
    /// - Parameter redactor: The node's fingerprint key.
    /// - Returns: The members, after `kind`.
    func redactedMembers(_ redactor: SecretRedactor) -> [JSONObject.Member]

    /// Why the target may only come from the rules directory on disk (it runs a program or
    /// writes a file on the host), or `nil` when the API may define it.
    var hostConfigurationReason: String? { get }

    /// Whether `other` holds the same settings.
    func isEqual(to other: any TargetSettings) -> Bool
}

extension TargetSettings {
    /// By default the API may define a target of this kind.
    public var hostConfigurationReason: String? { nil }
}

extension TargetSettings where Self: Equatable {
    /// Equal when `other` is of the same type and compares equal.
    public func isEqual(to other: any TargetSettings) -> Bool {
        (other as? Self) == self
    }
}

/// The target kinds a reader accepts, by `kind` name.
///
/// Built once from the action registry (`ActionRegistry.targetKinds` in `TocsinActions`) and passed
/// to whatever reads target definitions.
public struct TargetKinds: Sendable {
    private let byName: [String: any TargetSettings.Type]
    /// The accepted `kind` names, in registration order.
    public let names: [String]

    /// A registry of `kinds`.
    ///
    /// - Precondition: No two kinds share a name (a programming error in the registration list).
    public init(_ kinds: [any TargetSettings.Type]) {
        var byName: [String: any TargetSettings.Type] = [:]
        for kind in kinds {
            precondition(byName[kind.kindName] == nil, "two target kinds are named \(kind.kindName)")
            byName[kind.kindName] = kind
        }
        self.byName = byName
        self.names = kinds.map { $0.kindName }
    }

    /// The kind named `name`, if registered.
    public func kind(named name: String) -> (any TargetSettings.Type)? {
        byName[name]
    }
}
