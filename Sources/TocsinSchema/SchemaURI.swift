// SPDX-License-Identifier: Apache-2.0

/// A URI reference split into its RFC 3986 parts, with reference resolution (section 5.2).
///
/// Schema identifiers (`$id`, `$ref`) are resolved against the enclosing base URI. Only the
/// syntax is handled: nothing is ever fetched.
struct SchemaURI: Sendable, Hashable, CustomStringConvertible {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    /// Splits `text` into its parts (the regular expression of RFC 3986 appendix B, by hand).
    init(_ text: String) {
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
        }
        if let colon = rest.firstIndex(of: ":"), !rest[..<colon].contains("/"), colon != rest.startIndex {
            scheme = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        if rest.hasPrefix("//") {
            let afterSlashes = rest.dropFirst(2)
            let end = afterSlashes.firstIndex(of: "/") ?? afterSlashes.endIndex
            authority = String(afterSlashes[..<end])
            rest = afterSlashes[end...]
        }
        path = String(rest)
    }

    /// The URI without its fragment: the identifier of a schema resource.
    var withoutFragment: SchemaURI {
        var copy = self
        copy.fragment = nil
        return copy
    }

    /// The fragment, or the empty string.
    var fragmentText: String { fragment ?? "" }

    /// Resolves `reference` against this base URI (RFC 3986 section 5.2.2, non-strict).
    func resolving(_ reference: SchemaURI) -> SchemaURI {
        var target = reference
        if reference.scheme != nil {
            target.path = Self.removingDotSegments(reference.path)
            return target
        }
        target.scheme = scheme
        if reference.authority != nil {
            target.path = Self.removingDotSegments(reference.path)
            return target
        }
        target.authority = authority
        if reference.path.isEmpty {
            target.path = path
            target.query = reference.query ?? query
            return target
        }
        if reference.path.hasPrefix("/") {
            target.path = Self.removingDotSegments(reference.path)
        } else {
            target.path = Self.removingDotSegments(merged(with: reference.path))
        }
        return target
    }

    private func merged(with relative: String) -> String {
        if authority != nil && path.isEmpty {
            return "/" + relative
        }
        guard let slash = path.lastIndex(of: "/") else {
            return relative
        }
        return String(path[...slash]) + relative
    }

    private static func removingDotSegments(_ path: String) -> String {
        guard path.contains(".") else {
            return path
        }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            switch segment {
            case ".":
                if isLast { output.append("") }
            case "..":
                if output.count > 1 || (output.count == 1 && !output[0].isEmpty) {
                    output.removeLast()
                }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        return output.joined(separator: "/")
    }

    /// The URI as text.
    var description: String {
        var text = ""
        if let scheme {
            text += scheme + ":"
        }
        if let authority {
            text += "//" + authority
        }
        text += path
        if let query {
            text += "?" + query
        }
        if let fragment {
            text += "#" + fragment
        }
        return text
    }
}
