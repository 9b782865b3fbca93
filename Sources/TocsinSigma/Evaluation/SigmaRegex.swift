// SPDX-License-Identifier: Apache-2.0

import TocsinRules

/// An `re` value: a bounded-work regular expression (``BoundedRegex``) searched anywhere in the text.
struct SigmaRegex: Sendable {
    let regex: BoundedRegex

    func matches(_ text: String) -> Bool {
        regex.matches(in: text)
    }
}
