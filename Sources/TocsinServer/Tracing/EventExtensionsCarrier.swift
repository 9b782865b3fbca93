// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import Tracing

/// Reads trace context from a CloudEvent's extension attributes.
public struct ExtensionsExtractor: Extractor {
    /// Creates an extractor.
    public init() {}

    /// The extension attribute `key` as text, if the event has it.
    public func extract(key: String, from carrier: [String: ExtensionValue]) -> String? {
        carrier[key]?.canonicalString
    }
}

/// Writes trace context into a CloudEvent's extension attributes (names are lower case, as
/// CloudEvents requires and W3C's `traceparent` and `tracestate` already are).
public struct ExtensionsInjector: Injector {
    /// Creates an injector.
    public init() {}

    /// Sets the extension attribute `key` (lower-cased) to `value`.
    public func inject(_ value: String, forKey key: String, into carrier: inout [String: ExtensionValue]) {
        carrier[key.lowercased()] = .string(value)
    }
}
