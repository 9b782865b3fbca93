// SPDX-License-Identifier: Apache-2.0

/// A rate over time drawn as an inline SVG polyline: the numbers only, the template draws them.
public struct RateChart: Sendable, Hashable {
    /// The chart's heading.
    public var title: String
    /// The SVG viewBox width.
    public var width: Int
    /// The SVG viewBox height.
    public var height: Int
    /// The polyline's `points` attribute.
    public var points: String
    /// The largest count in one bucket (the top of the axis).
    public var peak: Int
    /// The peak as a rate a second, with one decimal.
    public var peakPerSecond: String
    /// The sum of all buckets.
    public var total: Int
    /// What one bucket spans, in words.
    public var bucketText: String

    /// Lays out `counts` (oldest first, one per bucket) over a `width` × `height` box.
    ///
    /// - Parameters:
    ///   - title: The heading.
    ///   - counts: Events per bucket, oldest first.
    ///   - bucketSeconds: What one bucket spans.
    ///   - width: The drawing's width.
    ///   - height: The drawing's height.
    public init(title: String, counts: [Int], bucketSeconds: Int, width: Int = 600, height: Int = 120) {
        self.title = title
        self.width = width
        self.height = height
        let peak = counts.max() ?? 0
        self.peak = peak
        self.total = counts.reduce(0, +)
        let perSecond = Double(peak) / Double(max(1, bucketSeconds))
        self.peakPerSecond = String(Double((perSecond * 10).rounded()) / 10)
        self.bucketText = bucketSeconds % 60 == 0 ? "\(bucketSeconds / 60) min" : "\(bucketSeconds) s"
        let step = counts.count > 1 ? Double(width) / Double(counts.count - 1) : 0
        self.points = counts.enumerated().map { index, count in
            let x = Double(index) * step
            let y = Double(height) - (peak == 0 ? 0 : Double(count) / Double(peak) * Double(height))
            return "\(Self.format(x)),\(Self.format(y))"
        }.joined(separator: " ")
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

/// The charts page.
public struct ChartsPage: Sendable {
    /// The page chrome.
    public var chrome: PageChrome
    /// The charts; empty when the server has no rate history.
    public var charts: [RateChart]
}
