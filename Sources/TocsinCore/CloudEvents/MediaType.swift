// SPDX-License-Identifier: Apache-2.0

/// Media type helpers shared by the CloudEvents decoder and the HTTP binding.
public enum MediaType: Sendable {
    /// The essence of a media type: `type/subtype` in lower case, without parameters or spaces.
    ///
    /// `"Application/CloudEvents+JSON; charset=utf-8"` gives `"application/cloudevents+json"`;
    /// an empty or parameter-only value gives `""`.
    public static func essence(_ value: String) -> String {
        let head = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return String(head.trimmingSpaces()).lowercased()
    }

    /// Whether a media type is JSON (`*/json` or `*/*+json`), ignoring parameters and case.
    public static func isJSON(_ value: String) -> Bool {
        let essence = essence(value)
        return essence.hasSuffix("/json") || essence.hasSuffix("+json")
    }
}
