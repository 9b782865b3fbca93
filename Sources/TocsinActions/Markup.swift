// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Escaping of event-derived text for the markup of the services Tocsin posts to, so an event
/// cannot format, mention or link through a message (`<!channel>` in a user name must not page a
/// Slack channel).
public enum Markup: Sendable {
    /// Slack mrkdwn: `&`, `<` and `>` become entities, which also disarms `<!channel>`,
    /// `<@user>` and `<url|label>` sequences.
    public static func slack(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            default: output.append(character)
            }
        }
        return output
    }

    /// One line of plain text (PagerDuty's summary, Jira's summary): control characters,
    /// line breaks included, become spaces, so an event cannot forge extra lines or fields.
    public static func plainLine(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}"
                        ? " " : scalar
                }
            )
        )
    }

    /// Text for inside a Jira wiki `{noformat}` block: a `{noformat}` in the text (any case) is
    /// broken with a zero-width space, so it cannot close the block and let markup through.
    public static func jiraNoformat(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let range = rest.range(of: "{noformat}", options: .caseInsensitive) {
            output += rest[..<range.lowerBound]
            output += "{\u{200B}" + rest[rest.index(after: range.lowerBound)..<range.upperBound]
            rest = rest[range.upperBound...]
        }
        return output + rest
    }
}
