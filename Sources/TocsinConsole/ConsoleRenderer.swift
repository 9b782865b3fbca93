// SPDX-License-Identifier: Apache-2.0

import Mustache

/// Renders the console's pages from the embedded Mustache templates.
///
/// Every `{{value}}` is escaped for HTML; the templates use no unescaped (`{{{…}}}`) tags, which a test checks.
struct ConsoleRenderer: Sendable {
    private let library: MustacheLibrary

    /// Parses every embedded template.
    ///
    /// - Throws: When a template does not parse (the embedded assets are broken).
    init() throws {
        var library = MustacheLibrary()
        for (name, text) in ConsoleAssets.templates {
            try library.register(text, named: name)
        }
        self.library = library
    }

    /// Renders `model` with the template `name`.
    ///
    /// - Throws: ``ConsoleError`` when there is no such template.
    func render(_ model: Any, template name: String) throws -> String {
        guard let html = library.render(model, withTemplate: name) else {
            throw ConsoleError.templateMissing(name)
        }
        return html
    }
}
