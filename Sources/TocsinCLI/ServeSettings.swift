// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinConfig

/// The `tocsin serve` settings from the command line, the `TOCSIN_*` environment and the
/// configuration file, in that order of precedence, as typed values.
struct ServeSettings {
    /// The precedence rules over the environment and the file.
    let resolver: ServeSettingResolver

    /// Reads the configuration file at `configPath` (or `TOCSIN_CONFIG`), if either names one.
    ///
    /// - Throws: `ValidationError` when the file cannot be read; ``ConfigError`` with every problem
    ///   of its contents.
    static func load(configPath: String?, environment: [String: String]) throws -> ServeSettings {
        let (settings, diagnostics) = try read(configPath: configPath, environment: environment)
        guard diagnostics.isEmpty else {
            throw ConfigError(diagnostics)
        }
        return settings
    }

    /// Reads the configuration file leniently: the settings its valid keys make, and the
    /// problems of the others.
    ///
    /// - Throws: `ValidationError` when the file cannot be read; ``ConfigError`` when it is not YAML.
    static func read(
        configPath: String?,
        environment: [String: String]
    ) throws -> (settings: ServeSettings, diagnostics: [ConfigDiagnostic]) {
        let path = configPath ?? environment["TOCSIN_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        var file: ServeConfigFile?
        var diagnostics: [ConfigDiagnostic] = []
        if let path {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ValidationError(
                    "cannot read the configuration file \(path); pass --config (or TOCSIN_CONFIG) with the path of a readable UTF-8 YAML file"
                )
            }
            (file, diagnostics) = try ServeConfigFile.read(text: text, file: path)
        }
        return (ServeSettings(resolver: ServeSettingResolver(environment: environment, file: file)), diagnostics)
    }

    /// The winning value of `setting` and its source.
    func resolve(_ setting: ServeSetting, flag: [String]) -> ServeSettingResolver.Resolved? {
        resolver.resolve(setting, flag: flag)
    }

    /// A single string setting.
    func text(_ setting: ServeSetting, _ flag: String?) -> String? {
        resolve(setting, flag: flag.map { [$0] } ?? []).map(\.text)
    }

    /// A list setting: the repeated flag, the comma-separated variable or the file's list.
    func list(_ setting: ServeSetting, _ flag: [String]) -> [String] {
        resolve(setting, flag: flag)?.values ?? []
    }

    /// A boolean setting; an absent flag leaves the decision to the environment and the file.
    func isOn(_ setting: ServeSetting, _ flag: Bool) -> Bool {
        resolve(setting, flag: flag ? ["true"] : [])?.text == "true"
    }

    /// A whole-number setting.
    ///
    /// - Throws: `ValidationError` naming the variable when the environment's value is not one.
    func integer(_ setting: ServeSetting, _ flag: (some BinaryInteger)?) throws -> Int64? {
        guard let resolved = resolve(setting, flag: flag.map { [String($0)] } ?? []) else {
            return nil
        }
        guard let value = Int64(resolved.text) else {
            throw ValidationError("\(resolved.source) must be an integer for \(setting.flag)")
        }
        return value
    }

    /// A decimal-number setting.
    ///
    /// - Throws: `ValidationError` naming the variable when the environment's value is not one.
    func number(_ setting: ServeSetting, _ flag: Double?) throws -> Double? {
        guard let resolved = resolve(setting, flag: flag.map { [String($0)] } ?? []) else {
            return nil
        }
        guard let value = Double(resolved.text) else {
            throw ValidationError("\(resolved.source) must be a number for \(setting.flag)")
        }
        return value
    }
}
