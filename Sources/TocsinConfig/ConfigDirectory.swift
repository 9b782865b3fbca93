// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The rules directory: YAML files, each with optional `targets:` and `rules:` maps of name to
/// definition (the same fields as the HTTP API), and Sigma files (SigmaHQ rules, unmodified).
///
/// ```yaml
/// targets:
///   edge-blocklist: {kind: blocklist, ip_path: $.data.ip, ttl_seconds: 3600}
/// rules:
///   ssh-bruteforce:
///     pattern: {type: [ssh.login.failed]}
///     targets: [{target: edge-blocklist}]
/// ```
public struct ConfigDirectory: Sendable {
    /// Every rule defined in the files.
    public var rules: [RuleDefinition] = []
    /// Every target defined in the files.
    public var targets: [TargetDefinition] = []
    /// The Sigma rules of the files that hold Sigma documents.
    public var sigma = SigmaDefinitions()
    /// Every problem in every file, located.
    public var diagnostics: [ConfigDiagnostic] = []

    /// Reads `files` (name and contents, in the order given); problems do not stop the others.
    ///
    /// - Parameters:
    ///   - files: The files' names and contents.
    ///   - kinds: The target kinds that may be defined.
    public init(files: [(name: String, text: String)], kinds: TargetKinds) {
        var ruleFiles: [String: String] = [:]
        var targetFiles: [String: String] = [:]
        for file in files {
            if SigmaDefinitions.isSigma(file.text) {
                diagnostics += sigma.add(file: file.name, text: file.text)
                continue
            }
            let document: YAMLDocument
            do {
                document = try YAMLDocument(text: file.text, file: file.name)
            } catch {
                diagnostics += error.diagnostics
                continue
            }
            guard case .object(let top) = document.value else {
                diagnostics.append(
                    ConfigDiagnostic(
                        file: file.name,
                        line: 1,
                        path: "$",
                        message: "expected a mapping with 'rules' and/or 'targets'"
                    )
                )
                continue
            }
            for member in top.members {
                switch member.name {
                case "targets", "rules":
                    guard case .object(let definitions) = member.value else {
                        diagnostics.append(
                            document.locate(
                                ConfigDiagnostic(path: "$", message: "must map names to definitions"),
                                file: file.name,
                                under: "$.\(member.name)"
                            )
                        )
                        continue
                    }
                    for definition in definitions.members {
                        let prefix = "$.\(member.name).\(definition.name)"
                        let seen = member.name == "rules" ? ruleFiles[definition.name] : targetFiles[definition.name]
                        if let seen {
                            diagnostics.append(
                                document.locate(
                                    ConfigDiagnostic(path: "$", message: "also defined in \(seen)"),
                                    file: file.name,
                                    under: prefix
                                )
                            )
                            continue
                        }
                        do {
                            if member.name == "rules" {
                                rules.append(try RuleDefinition(name: definition.name, json: definition.value))
                                ruleFiles[definition.name] = file.name
                            } else {
                                targets.append(
                                    try TargetDefinition(name: definition.name, json: definition.value, kinds: kinds)
                                )
                                targetFiles[definition.name] = file.name
                            }
                        } catch {
                            diagnostics += error.diagnostics.map { document.locate($0, file: file.name, under: prefix) }
                        }
                    }
                default:
                    diagnostics.append(
                        document.locate(
                            ConfigDiagnostic(path: "$", message: "unknown key; use 'rules' and 'targets'"),
                            file: file.name,
                            under: "$.\(member.name)"
                        )
                    )
                }
            }
        }
    }
}
