// SPDX-License-Identifier: Apache-2.0

/// One threat-intelligence list: a name and its indicators, read from a text file with one
/// indicator per line.
///
/// Blank lines and lines starting with `#` are ignored; an indicator may be followed by blanks and
/// a `#` comment. Lines may end in CRLF, and a UTF-8 byte-order mark at the start is skipped. Each indicator is an IP address, a CIDR block, a domain or a hash (see
/// ``Indicator/init(entry:)``).
public struct ThreatIntelList: Sendable, Hashable {
    /// One indicator and its text as the list wrote it.
    public struct Entry: Sendable, Hashable {
        /// The indicator.
        public var indicator: Indicator
        /// The entry as listed (what an event's enrichment names as `indicator`).
        public var text: String

        /// Creates an entry.
        public init(indicator: Indicator, text: String) {
            self.indicator = indicator
            self.text = text
        }
    }

    /// The list's name (its file name without the extension), as an event's enrichment names it.
    public var name: String
    /// The indicators, in file order.
    public var entries: [Entry]

    /// Creates a list.
    public init(name: String, entries: [Entry]) {
        self.name = name
        self.entries = entries
    }

    /// The list name of the file at `path`: its last path component without the extension
    /// (`/etc/tocsin/intel/tor-exit.txt` is `tor-exit`).
    public static func name(forFile path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else {
            return file
        }
        return String(file[..<dot])
    }

    /// Reads a list file's bytes.
    ///
    /// - Parameters:
    ///   - bytes: The file's content (UTF-8).
    ///   - name: The list's name.
    ///   - file: The file's path, for diagnostics.
    ///   - maxEntries: The most indicators the list may hold.
    /// - Returns: The list, its entries in file order.
    /// - Throws: ``EnrichmentError`` listing every line that is not an indicator (file:line), or
    ///   saying the list has more than `maxEntries` indicators.
    public static func parse(
        _ bytes: [UInt8],
        name: String,
        file: String,
        maxEntries: Int
    ) throws(EnrichmentError) -> ThreatIntelList {
        var entries: [Entry] = []
        var problems = EnrichmentError.Collector()
        var lineNumber = 0
        // A spreadsheet or Windows editor may start the file with a UTF-8 byte-order mark.
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard let token = indicatorToken(line) else {
                continue
            }
            guard token.isComplete else {
                problems.add(
                    .invalidEntry,
                    file: file,
                    line: lineNumber,
                    message: "one indicator per line; anything after it must be a '#' comment"
                )
                continue
            }
            let text = String(decoding: line[token.range], as: UTF8.self)
            guard let indicator = Indicator(entry: text) else {
                problems.add(
                    .invalidEntry,
                    file: file,
                    line: lineNumber,
                    message:
                        "not an IP address, a CIDR block (such as 192.0.2.0/24), a domain of two or more labels, or a hash of 32, 40 or 64 hex digits"
                )
                continue
            }
            guard entries.count < maxEntries else {
                throw EnrichmentError(
                    code: .limitExceeded,
                    file: file,
                    line: lineNumber,
                    message: "a list may hold at most \(maxEntries) indicators; split it or remove entries"
                )
            }
            entries.append(Entry(indicator: indicator, text: text))
        }
        if let error = problems.error {
            throw error
        }
        return ThreatIntelList(name: name, entries: entries)
    }

    /// The indicator's bytes on a line, or `nil` for a blank or comment line; `isComplete` is
    /// false when something other than a comment follows it.
    private static func indicatorToken(_ line: ArraySlice<UInt8>) -> (range: Range<Int>, isComplete: Bool)? {
        func isBlank(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
        }
        guard let start = line.firstIndex(where: { !isBlank($0) }), line[start] != UInt8(ascii: "#") else {
            return nil
        }
        let end = line[start...].firstIndex(where: isBlank) ?? line.endIndex
        let rest = line[end...].firstIndex { !isBlank($0) }
        return (start..<end, rest.map { line[$0] == UInt8(ascii: "#") } ?? true)
    }
}
