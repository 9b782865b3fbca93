// SPDX-License-Identifier: Apache-2.0

/// A parsed Prometheus text exposition (a `/metrics` body), for tests that check what moved.
public struct PrometheusScrape: Sendable {
    /// One sample: the series' name, its labels and its value.
    public struct Sample: Sendable, Hashable {
        /// The series name (`tocsin_http_requests_total`, `tocsin_log_commit_events_bucket`).
        public var name: String
        /// The labels, by name.
        public var labels: [String: String]
        /// The value.
        public var value: Double
    }

    /// Every sample, in the order of the text.
    public let samples: [Sample]
    /// The metric families the text declares with `# TYPE`, by name, with their type.
    public let types: [String: String]

    /// Parses the text format; comment lines other than `# TYPE` and lines that do not parse are skipped.
    public init(_ text: String) {
        var samples: [Sample] = []
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 {
                    types[String(parts[2])] = String(parts[3])
                }
                continue
            }
            if line.hasPrefix("#") {
                continue
            }
            if let sample = Self.sample(line) {
                samples.append(sample)
            }
        }
        self.samples = samples
        self.types = types
    }

    /// The family names a sample of which appears (histogram series map to their family).
    public var families: Set<String> {
        var names = Set(types.keys)
        for sample in samples {
            names.insert(sample.name)
        }
        return names
    }

    /// The sum of the samples named `name` whose labels include every pair of `labels`; 0 when none.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
        .reduce(0) { $0 + $1.value }
    }

    private static func sample(_ line: Substring) -> Sample? {
        guard let valueStart = line.lastIndex(of: " ") else {
            return nil
        }
        let series = line[..<valueStart]
        guard let value = Double(line[line.index(after: valueStart)...]) else {
            return nil
        }
        guard let open = series.firstIndex(of: "{") else {
            return Sample(name: String(series), labels: [:], value: value)
        }
        var labels: [String: String] = [:]
        var rest = series[series.index(after: open)...].dropLast()
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingPrefix(",")
            var cursor = rest.index(equals, offsetBy: 2, limitedBy: rest.endIndex) ?? rest.endIndex
            var text = ""
            while cursor < rest.endIndex, rest[cursor] != "\"" {
                if rest[cursor] == "\\", rest.index(after: cursor) < rest.endIndex {
                    cursor = rest.index(after: cursor)
                }
                text.append(rest[cursor])
                cursor = rest.index(after: cursor)
            }
            labels[String(key)] = text
            rest = cursor < rest.endIndex ? rest[rest.index(after: cursor)...] : rest[rest.endIndex...]
        }
        return Sample(name: String(series[..<open]), labels: labels, value: value)
    }
}
