// SPDX-License-Identifier: Apache-2.0

/// The parts of a match document a reader needs: the field paths its patterns test.
///
/// ``LogEntry/matchDocument(keeping:)`` builds the attributes, the OCSF view and the enrichment
/// as ``LogEntry/matchDocument(includingData:)`` does, but parses JSON `data` keeping only the
/// members the paths under `data` name (``JSONProjection``), and leaves `data` out when no path
/// reaches into it. A pattern that tests only these paths matches the projected document exactly
/// when it matches the whole one (`EventPattern.fieldPaths`). Parsing a CloudTrail record that
/// way allocates a few values instead of a tree of hundreds.
public struct MatchProjection: Sendable {
    /// The paths kept.
    public let paths: [[String]]
    /// How `data` is kept: `nil` leaves it out.
    let data: JSONProjection?

    /// A projection keeping `paths` (lists of member names from the document's top).
    ///
    /// An empty path, or `["data"]`, keeps the whole `data`.
    public init(paths: [[String]]) {
        self.paths = paths
        var underData: [[String]] = []
        for path in paths {
            guard let first = path.first else {
                underData.append([])
                continue
            }
            if first == "data" {
                underData.append(Array(path.dropFirst()))
            }
        }
        data = underData.isEmpty ? nil : JSONProjection(paths: underData)
    }

    /// This projection with `other` paths kept too.
    public func adding(_ other: [[String]]) -> MatchProjection {
        MatchProjection(paths: paths + other)
    }

    /// Whether the projection keeps the whole document.
    public var keepsEverything: Bool {
        data?.keepsEverything == true
    }

    /// Whether a kept path reaches into the top-level member `name` (an empty path keeps it too).
    public func reaches(_ name: String) -> Bool {
        paths.contains { $0.first == nil || $0.first == name }
    }
}

extension LogEntry {
    /// The match document with only the parts `projection` keeps of JSON data.
    ///
    /// Data that is not JSON (text, binary) is kept as ``matchDocument(includingData:)`` keeps it,
    /// and so is JSON data that does not parse with the projection (the full document then holds
    /// `null` there too).
    public func matchDocument(keeping projection: MatchProjection) -> JSONValue {
        guard case .json(let bytes) = event.data else {
            return matchDocument(includingData: true)
        }
        guard let kept = projection.data else {
            return matchDocument(includingData: false)
        }
        var object = event.attributes
        object.members.reserveCapacity(object.members.count + 3)
        // The log stores data only after ingest parsed it: what is dropped need not be validated.
        let data = (try? JSONParser().parse(validated: bytes, keeping: kept)) ?? .null
        object.members.append(.init(name: "data", value: data))
        if let ocsf {
            object.members.append(.init(name: "ocsf", value: ocsf))
        }
        if let enrichment {
            object.members.append(.init(name: "enrichment", value: enrichment))
        }
        return .object(object)
    }
}

extension LoggedEvent {
    /// ``matchDocument`` with only the parts `projection` keeps of JSON data.
    public func matchDocument(keeping projection: MatchProjection) -> JSONValue {
        LogEntry(event: event, ocsf: ocsf, enrichment: enrichment).matchDocument(keeping: projection)
    }
}
