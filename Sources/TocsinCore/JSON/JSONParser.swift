// SPDX-License-Identifier: Apache-2.0

/// A strict RFC 8259 JSON parser that works on bytes and keeps every number's text.
///
/// It validates UTF-8 as it goes, rejects duplicate object members (unless told otherwise), and enforces ``Limits`` so
/// that hostile input cannot exhaust the stack (depth) or memory (size). See ADR 0001 for why
/// Tocsin carries its own parser instead of using Foundation's.
public struct JSONParser: Sendable {
    /// Bounds on what the parser accepts.
    public struct Limits: Sendable, Hashable {
        /// Maximum nesting of arrays and objects.
        ///
        /// Default 128.
        public var maxDepth: Int
        /// Maximum document size in bytes.
        ///
        /// Default 4 MiB.
        public var maxBytes: Int
        /// Whether an object may repeat a member name.
        ///
        /// Default `false`. Event patterns set it: their language gives repeated names a meaning
        /// (the last value list wins, repeated objects merge), so the pattern compiler needs every
        /// member in source order.
        public var allowsDuplicateMembers: Bool

        /// Creates limits; the defaults suit security events (CloudTrail nests about 10 deep).
        public init(maxDepth: Int = 128, maxBytes: Int = 4 * 1024 * 1024, allowsDuplicateMembers: Bool = false) {
            self.maxDepth = maxDepth
            self.maxBytes = maxBytes
            self.allowsDuplicateMembers = allowsDuplicateMembers
        }
    }

    /// The limits this parser enforces.
    public var limits: Limits

    /// Creates a parser.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Parses one JSON document from `bytes`.
    ///
    /// - Throws: ``JSONParseError`` naming the byte offset of the first problem.
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            parseResult(UnsafeRawBufferPointer(buffer))
        }
        if let result {
            return try result.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBytes { parseResult($0) }.get()
    }

    /// Parses one JSON document from the UTF-8 of `text`.
    ///
    /// - Throws: ``JSONParseError`` naming the byte offset of the first problem.
    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Parses one JSON document from raw memory.
    ///
    /// - Throws: ``JSONParseError`` naming the byte offset of the first problem.
    public func parse(raw bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        try parseResult(bytes).get()
    }

    /// Parses one JSON document from `bytes`, building only what `projection` keeps.
    ///
    /// Everything else is validated exactly as ``parse(_:)`` validates it (UTF-8, grammar,
    /// duplicate member names, depth and size limits) but never built, so a document that
    /// ``parse(_:)`` rejects is rejected here with the same error, and a reader that only follows
    /// the projection's paths finds what it would find in the whole document.
    ///
    /// - Throws: ``JSONParseError`` naming the byte offset of the first problem.
    public func parse(
        _ bytes: some Collection<UInt8>,
        keeping projection: JSONProjection
    ) throws(JSONParseError)
        -> JSONValue
    {
        try parseProjected(bytes, keeping: projection, isValidated: false)
    }

    /// Parses one document already known to be valid JSON (bytes that ``parse(_:)`` accepted and
    /// that were stored since, such as the log's event data), building only what `projection`
    /// keeps.
    ///
    /// The kept values are read as ``parse(_:keeping:)`` reads them; the dropped ones are stepped
    /// over without any check, and duplicate member names are not looked for, which makes the
    /// parse several times cheaper when the projection keeps little. Bytes that are not valid JSON
    /// give an error or a value that does not reflect them, never a read outside `bytes`.
    ///
    /// - Throws: ``JSONParseError`` for problems met in the parts that are read.
    public func parse(
        validated bytes: some Collection<UInt8>,
        keeping projection: JSONProjection
    ) throws(JSONParseError)
        -> JSONValue
    {
        try parseProjected(bytes, keeping: projection, isValidated: true)
    }

    private func parseProjected(
        _ bytes: some Collection<UInt8>,
        keeping projection: JSONProjection,
        isValidated: Bool
    ) throws(JSONParseError) -> JSONValue {
        if projection.keepsEverything {
            return try parse(bytes)
        }
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            parseResult(UnsafeRawBufferPointer(buffer), keeping: projection, isValidated: isValidated)
        }
        if let result {
            return try result.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBytes { parseResult($0, keeping: projection, isValidated: isValidated) }.get()
    }

    private func parseResult(
        _ bytes: UnsafeRawBufferPointer,
        keeping projection: JSONProjection? = nil,
        isValidated: Bool = false
    ) -> Result<JSONValue, JSONParseError> {
        if bytes.count > limits.maxBytes {
            return .failure(
                JSONParseError(
                    code: .tooLarge,
                    offset: limits.maxBytes,
                    message: "document is \(bytes.count) bytes; the limit is \(limits.maxBytes)"
                )
            )
        }
        var reader = JSONReader(
            bytes: bytes,
            maxDepth: limits.maxDepth,
            allowsDuplicateMembers: limits.allowsDuplicateMembers || isValidated
        )
        reader.isValidated = isValidated
        return Result { () throws(JSONParseError) -> JSONValue in
            if let projection {
                return try reader.readDocument(keeping: projection)
            }
            return try reader.readDocument()
        }
    }
}
