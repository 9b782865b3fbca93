// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The rules directory: YAML files, each with optional `targets:` and `rules:` maps of name to
/// definition (the same fields as the HTTP API), `sigma:` settings per Sigma rule
/// (``SigmaRuleSettings``) and at most one `sigma_mapping:` (``SigmaMappingDefinition``), and Sigma
/// files (SigmaHQ rules, unmodified), compiled with that mapping.
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
    /// Where each accepted definition starts, by its JSON path (`$.targets.edge-blocklist`).
    private var starts: [String: ConfigDiagnostic] = [:]

    /// `diagnostic` placed at the start of the definition at `path` (`$.targets.NAME` or `$.rules.NAME`) in the
    /// file that defines it, for problems found after reading (a missing directory on this host, an unknown target).
    public func located(_ diagnostic: ConfigDiagnostic, definition path: String) -> ConfigDiagnostic {
        guard let start = starts[path] else {
            return diagnostic
        }
        var located = diagnostic
        located.file = start.file
        located.line = start.line
        located.column = start.column
        return located
    }

    /// The file that defines the rule `name`, if one of the files does.
    public func file(ofRule name: String) -> String? {
        starts["$.rules.\(name)"]?.file
    }

    /// Reads `files` (name and contents, in the order given); problems do not stop the others.
    ///
    /// - Parameters:
    ///   - files: The files' names and contents.
    ///   - kinds: The target kinds that may be defined.
    public init(files: [(name: String, text: String)], kinds: TargetKinds) {
        var ruleFiles: [String: String] = [:]
        var targetFiles: [String: String] = [:]
        var sigmaFiles: [(name: String, text: String)] = []
        var mappingFile: String?
        for file in files {
            if SigmaDefinitions.isSigma(file.text) {
                sigmaFiles.append(file)
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
                case "sigma_mapping":
                    if let mappingFile {
                        diagnostics.append(
                            document.locate(
                                ConfigDiagnostic(
                                    path: "$",
                                    message: "the Sigma mapping is already defined in \(mappingFile)"
                                ),
                                file: file.name,
                                under: "$.sigma_mapping"
                            )
                        )
                        continue
                    }
                    mappingFile = file.name
                    do {
                        let mapping = try SigmaMappingDefinition(json: member.value)
                        sigma.logSourceMapping = mapping.logSourceMapping
                        sigma.fieldMapping = mapping.fieldMapping
                    } catch {
                        diagnostics += error.diagnostics.map {
                            document.locate($0, file: file.name, under: "$.sigma_mapping")
                        }
                    }
                case "sigma":
                    readSigmaSettings(member.value, document: document, file: file.name)
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
                            starts[prefix] = document.locate(
                                ConfigDiagnostic(path: "$", message: ""),
                                file: file.name,
                                under: prefix
                            )
                        } catch {
                            diagnostics += error.diagnostics.map { document.locate($0, file: file.name, under: prefix) }
                        }
                    }
                default:
                    diagnostics.append(
                        document.locate(
                            ConfigDiagnostic(
                                path: "$",
                                message: "unknown key; use 'rules', 'targets', 'sigma' or 'sigma_mapping'"
                            ),
                            file: file.name,
                            under: "$.\(member.name)"
                        )
                    )
                }
            }
        }
        for file in sigmaFiles {
            diagnostics += sigma.add(file: file.name, text: file.text)
        }
        diagnostics += sigma.problems()
    }

    /// Reads `sigma:` settings, a map of Sigma rule (or correlation) id or name to settings.
    private mutating func readSigmaSettings(_ value: JSONValue, document: YAMLDocument, file: String) {
        guard case .object(let entries) = value else {
            diagnostics.append(
                document.locate(
                    ConfigDiagnostic(path: "$", message: "must map Sigma rule ids or names to settings"),
                    file: file,
                    under: "$.sigma"
                )
            )
            return
        }
        for entry in entries.members {
            let prefix = "$.sigma.\(entry.name)"
            if let seen = sigma.settings.first(where: { $0.reference == entry.name }) {
                diagnostics.append(
                    document.locate(
                        ConfigDiagnostic(path: "$", message: "also set in \(seen.location.file ?? "another file")"),
                        file: file,
                        under: prefix
                    )
                )
                continue
            }
            do {
                var settings = try SigmaRuleSettings(reference: entry.name, json: entry.value)
                settings.location = document.locate(ConfigDiagnostic(path: "$", message: ""), file: file, under: prefix)
                sigma.settings.append(settings)
            } catch {
                diagnostics += error.diagnostics.map { document.locate($0, file: file, under: prefix) }
            }
        }
    }
}
