import Foundation

/// Counts per bin as adjacent bars, e.g. users by number of active interests, or interest vector norms.
public struct Histogram: Sendable {
    /// One bar: its label on the x axis and how many observations fell in it.
    public struct Bin: Sendable, Equatable {
        /// Label under the bar, e.g. "3" or "0.2–0.4".
        public var label: String
        /// Number of observations; a negative count is drawn as zero.
        public var count: Int

        /// A bin labelled `label` holding `count` observations.
        public init(label: String, count: Int) {
            self.label = label
            self.count = count
        }
    }

    /// Chart title.
    public var title: String
    /// Caption of the x axis, e.g. "active interests".
    public var xLabel: String
    /// The bins, left to right.
    public var bins: [Bin]

    /// More bins than this are not readable; `init(values:binCount:)` uses at most this many.
    public static let maxBinCount = 200

    /// A histogram of already counted bins.
    public init(title: String, xLabel: String, bins: [Bin]) {
        self.title = title
        self.xLabel = xLabel
        self.bins = bins
    }

    /// Bins the finite `values` (NaN and infinities are ignored) into at most `binCount` (1...200) equal-width bins
    /// labelled by their ranges, the last one closed. Bin edges are round numbers (widths of 1, 2, 2.5 or 5 × 10^k)
    /// whenever `binCount` such bins cover the data, so the labels stay short; else exactly `binCount` bins span
    /// min...max. A single distinct value gives one bin; integer values spanning at most `binCount` integers get one
    /// bin per integer, labelled by it.
    public init(title: String, xLabel: String, values: [Double], binCount: Int) {
        self.init(title: title, xLabel: xLabel, bins: Self.bins(of: values, binCount: binCount))
    }

    private static func bins(of values: [Double], binCount: Int) -> [Bin] {
        let finite = values.filter(\.isFinite)
        guard let lowest = finite.min(), let highest = finite.max() else { return [] }
        guard lowest < highest else { return [Bin(label: NumberFormat.short(lowest), count: finite.count)] }
        let count = min(max(binCount, 1), maxBinCount)
        let integers = finite.allSatisfy { $0 == $0.rounded() && abs($0) < 1e15 }
        if integers && highest - lowest < Double(count) {
            var counts = [Int](repeating: 0, count: Int(highest - lowest) + 1)
            for value in finite { counts[Int(value - lowest)] += 1 }
            return counts.enumerated().map { Bin(label: NumberFormat.short(lowest + Double($0.offset)), count: $0.element) }
        }
        let edges = roundEdges(lowest: lowest, highest: highest, maxCount: count) ?? (0...count).map { index in
            // Weighted, not lowest + index × width, so a span near Double.greatestFiniteMagnitude cannot overflow.
            let fraction = Double(index) / Double(count)
            return lowest * (1 - fraction) + highest * fraction
        }
        var counts = [Int](repeating: 0, count: edges.count - 1)
        for value in finite { counts[binIndex(value, edges: edges)] += 1 }
        let edgeLabels = Ticks.labels(edges)
        // "-0.2–-0.1" reads as one token; spaces separate the minus signs from the dash.
        let dash = edges.contains { $0 < 0 } ? " – " : "–"
        return counts.enumerated().map { Bin(label: edgeLabels[$0.offset] + dash + edgeLabels[$0.offset + 1], count: $0.element) }
    }

    /// Edges of the narrowest round bin width (1, 2, 2.5 or 5 × 10^k) at which at most `maxCount` bins starting at
    /// a multiple of it cover lowest...highest; nil when the span is not finite.
    private static func roundEdges(lowest: Double, highest: Double, maxCount: Int) -> [Double]? {
        let raw = (highest - lowest) / Double(maxCount)
        guard raw.isFinite, raw > 0 else { return nil }
        let power = pow(10, floor(log10(raw)))
        for factor in [1, 2, 2.5, 5, 10] {
            let width = factor * power
            guard width >= raw * (1 - 1e-9) else { continue }
            let first = floor(lowest / width)
            let needed = ceil((highest - first * width) / width - 1e-9)
            guard first.isFinite, abs(first) < 1e15, needed.isFinite, needed <= Double(maxCount) else { continue }
            // Below 1 the width divides 1 into a whole number (0.1 into 10); dividing by it keeps 0.3 exact.
            let inverse = width < 1 ? (1 / width).rounded() : nil
            return (0...max(1, Int(needed))).map { index in
                let multiple = first + Double(index)
                return inverse.map { multiple / $0 } ?? multiple * width
            }
        }
        return nil
    }

    /// The bin holding `value`: bin i is [edges[i], edges[i + 1]), the last one closed.
    private static func binIndex(_ value: Double, edges: [Double]) -> Int {
        var (low, high) = (0, edges.count - 2)
        while low < high {
            let middle = (low + high + 1) / 2
            if edges[middle] <= value { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The complete `<svg>` element with a count axis of whole numbers.
    public func svg() -> String {
        var canvas = SVGCanvas()
        guard !bins.isEmpty else {
            canvas.title(title, width: 400)
            canvas.noData(in: Box(x: 16, y: ChartStyle.titleHeight, width: 368, height: 200))
            return canvas.svg(width: 400, height: ChartStyle.titleHeight + 216, label: title)
        }
        let counts = bins.map { max($0.count, 0) }
        // 12...80 px a bar, and at least 240 px in all, so one bin still looks like a chart.
        let barWidth = max(min(max(560 / Double(bins.count), 12), 80), 240 / Double(bins.count))
        let labels = CategoryLabels(bins.map(\.label), slotWidth: barWidth)
        let domain = Ticks.niceDomain(0...Double(max(counts.max() ?? 0, 1)), targetCount: 5, integersOnly: true)
        let ticks = Ticks.values(in: domain, targetCount: 5, integersOnly: true)
        let left = max(28 + SVGCanvas.tickLabelWidth(ticks) + 8, labels.leftOverhang - barWidth / 2 + 12)
        let plot = Box(x: left, y: ChartStyle.titleHeight + 6, width: Double(bins.count) * barWidth, height: 240)
        let width = plot.maxX + 20
        let scale = LinearScale(domain: domain, start: plot.maxY, end: plot.y)

        canvas.title(title, width: width)
        canvas.valueAxis(ticks: ticks, scale: scale, plot: plot, label: "count")
        canvas.line(x1: plot.x, y1: plot.maxY, x2: plot.maxX, y2: plot.maxY, stroke: ChartStyle.axis)
        for (index, bin) in bins.enumerated() {
            let top = scale.position(Double(counts[index]))
            canvas.rect(Box(x: plot.x + Double(index) * barWidth + 0.5, y: top, width: barWidth - 1, height: plot.maxY - top),
                        fill: Palette.category(0), tooltip: "\(bin.label): \(bin.count)")
        }
        let centres = bins.indices.map { plot.x + (Double($0) + 0.5) * barWidth }
        labels.draw(on: &canvas, centres: centres, top: plot.maxY)
        if !xLabel.isEmpty {
            canvas.text(xLabel, x: plot.x + plot.width / 2, y: plot.maxY + labels.height + 10, anchor: .middle,
                        maxWidth: max(plot.width, 200))
        }
        return canvas.svg(width: width, height: plot.maxY + labels.height + 28, label: title)
    }
}
