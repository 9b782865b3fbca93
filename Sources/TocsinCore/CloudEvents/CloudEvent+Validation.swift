// SPDX-License-Identifier: Apache-2.0

extension CloudEvent {
    /// Checks the attributes of an event built in code (a normaliser's, from a native record's
    /// values) against the same CloudEvents rules ``CloudEventDecoder`` applies to incoming ones,
    /// so nothing is stored that a reader (or `tocsin audit verify`) would reject.
    ///
    /// - Throws: ``CloudEventError`` naming the attribute and rule; never the value.
    public func validateAttributes() throws(CloudEventError) {
        try Self.check("id", id)
        try Self.check("source", source)
        try Self.check("type", type)
        if let subject {
            try Self.check("subject", subject)
        }
        guard AttributeSyntax.isURIReference(source) else {
            throw CloudEventError(attribute: "source", rule: .uri, message: "source must be a URI-reference (RFC 3986)")
        }
    }

    private static func check(_ name: String, _ value: String) throws(CloudEventError) {
        guard !value.isEmpty else {
            throw CloudEventError(attribute: name, rule: .nonEmpty, message: "must not be empty")
        }
        guard AttributeSyntax.isValidString(value) else {
            throw CloudEventError(
                attribute: name,
                rule: .string,
                message: "must not contain control characters or Unicode noncharacters"
            )
        }
    }

    /// `text` made usable as a String attribute (`id`, `type`, `subject`).
    ///
    /// Control characters and Unicode noncharacters, which CloudEvents forbids, become U+FFFD; other
    /// text is unchanged, so a hostile value cannot get its record refused (and hidden) by carrying
    /// a control character.
    public static func attributeText(_ text: String) -> String {
        guard !AttributeSyntax.isValidString(text) else {
            return text
        }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let valid = AttributeSyntax.isValidString(String(scalar))
            scalars.append(valid ? scalar : "\u{FFFD}")
        }
        return String(scalars)
    }

    /// `text` made usable as one segment of a `source` path.
    ///
    /// Bytes a URI path segment may not hold (`/`, spaces, `<`, non-ASCII, …) become `%HH`; `%HH`
    /// escapes already there are kept.
    public static func sourceSegment(_ text: String) -> String {
        var bytes = text
        let escaped: String? = bytes.withUTF8 { utf8 in
            func isKept(_ index: Int) -> Bool {
                AttributeSyntax.isSegmentCharacter(utf8[index]) || AttributeSyntax.isEscape(utf8, at: index)
            }
            guard !utf8.indices.allSatisfy(isKept) else {
                return nil
            }
            let hex = Array("0123456789ABCDEF".utf8)
            var output: [UInt8] = []
            output.reserveCapacity(utf8.count * 3)
            for index in utf8.indices {
                let byte = utf8[index]
                if isKept(index) {
                    output.append(byte)
                } else {
                    output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
        return escaped ?? text
    }
}
