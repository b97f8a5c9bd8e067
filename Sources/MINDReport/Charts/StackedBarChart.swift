import Foundation

/// Horizontal bars each split into shares that add up to 100 %, e.g. the genres among the items each interest
/// retrieves.
public struct StackedBarChart: Sendable {
    /// The shares actually drawn: segments after folding, and each bar's shares of them.
    public struct Shares: Sendable, Equatable {
        /// Segment names; the last is "other" when segments were folded.
        public var segments: [String]
        /// `values[bar][segment]`, each row summing to 1, or all zeros for a bar with nothing in it.
        public var values: [[Double]]
    }

    /// Chart title.
    public var title: String
    /// One name per bar, drawn left of it.
    public var bars: [String]
    /// One name per segment, shown in the legend.
    public var segments: [String]
    /// `values[bar][segment]`, any non-negative scale (counts or shares); each bar is normalised to its own sum.
    /// Negative and non-finite entries count as zero; a bar summing to zero is drawn empty and labelled "none".
    public var values: [[Double]]

    /// At most this many colours are drawn; past it the smallest segments fold into "other".
    public static let maxSegmentCount = 10

    /// A 100 % stacked bar chart of `values[bar][segment]`.
    public init(title: String, bars: [String], segments: [String], values: [[Double]]) {
        self.title = title
        self.bars = bars
        self.segments = segments
        self.values = values
    }

    /// Each bar normalised to sum to 1; with more than `maxSegmentCount` segments, the 9 with the largest total
    /// share over all bars (each bar weighing the same) are kept in their order and the rest summed into "other".
    public func shares() -> Shares {
        let barCount = max(bars.count, values.count)
        let segmentCount = max(segments.count, values.map(\.count).max() ?? 0)
        let names = (0..<segmentCount).map { segments.indices.contains($0) ? segments[$0] : "#\($0 + 1)" }
        let normalised: [[Double]] = (0..<barCount).map { bar in
            let row = (0..<segmentCount).map { segment -> Double in
                guard values.indices.contains(bar), values[bar].indices.contains(segment) else { return 0 }
                let value = values[bar][segment]
                return value.isFinite && value > 0 ? value : 0
            }
            // Dividing by the largest entry first keeps the sum finite for values near Double.greatestFiniteMagnitude.
            guard let largest = row.max(), largest > 0 else { return row }
            let scaled = row.map { $0 / largest }
            let sum = scaled.reduce(0, +)
            return scaled.map { $0 / sum }
        }
        guard segmentCount > Self.maxSegmentCount else { return Shares(segments: names, values: normalised) }
        let totals = (0..<segmentCount).map { segment in normalised.reduce(0) { $0 + $1[segment] } }
        let kept = (0..<segmentCount)
            .sorted { totals[$0] != totals[$1] ? totals[$0] > totals[$1] : $0 < $1 }
            .prefix(Self.maxSegmentCount - 1)
            .sorted()
        let keptSet = Set(kept)
        let folded = normalised.map { row in
            kept.map { row[$0] } + [row.indices.filter { !keptSet.contains($0) }.reduce(0) { $0 + row[$1] }]
        }
        return Shares(segments: kept.map { names[$0] } + ["other"], values: folded)
    }

    private static let barLength = 480.0
    private static let barHeight = 20.0
    private static let barGap = 8.0
    private static let maxBarLabelWidth = 200.0

    /// The complete `<svg>` element, with a legend of the segments and percentages inside wide enough segments.
    public func svg() -> String {
        var canvas = SVGCanvas()
        let drawn = shares()
        guard !drawn.values.isEmpty, !drawn.segments.isEmpty else {
            canvas.title(title, width: 400)
            canvas.noData(in: Box(x: 16, y: ChartStyle.titleHeight, width: 368, height: 120))
            return canvas.svg(width: 400, height: ChartStyle.titleHeight + 136, label: title)
        }
        let names = drawn.values.indices.map { bars.indices.contains($0) ? bars[$0] : "" }
        let labelWidth = min(names.map { TextMetrics.width($0, fontSize: ChartStyle.labelSize) }.max() ?? 0, Self.maxBarLabelWidth)
        let left = 12 + labelWidth + 8
        let width = left + Self.barLength + 24
        // Folding leaves at most ten segments, so "other" always lands on the tenth colour, Tableau's grey.
        let colours = drawn.segments.indices.map(Palette.category)
        let entries = zip(drawn.segments, colours).map { LegendEntry(name: $0, colour: $1) }
        let legendHeight = Legend.height(entries, width: width - 24)
        let top = ChartStyle.titleHeight + legendHeight + 6
        let plot = Box(x: left, y: top, width: Self.barLength,
                       height: Double(drawn.values.count) * (Self.barHeight + Self.barGap) - Self.barGap)
        let scale = LinearScale(domain: 0...1, start: plot.x, end: plot.maxX)

        canvas.title(title, width: width)
        canvas.legend(entries, x: 12, y: ChartStyle.titleHeight + 4, width: width - 24)
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let x = scale.position(tick)
            canvas.line(x1: x, y1: plot.y, x2: x, y2: plot.maxY + 4, stroke: ChartStyle.grid)
            canvas.text("\(Int(tick * 100))%", x: x, y: plot.maxY + 14, anchor: .middle, size: ChartStyle.tickSize,
                        fill: ChartStyle.mutedText)
        }
        for (bar, row) in drawn.values.enumerated() {
            let y = plot.y + Double(bar) * (Self.barHeight + Self.barGap)
            canvas.text(names[bar], x: left - 8, y: y + Self.barHeight / 2, anchor: .end, maxWidth: Self.maxBarLabelWidth)
            guard row.contains(where: { $0 > 0 }) else {
                canvas.rect(Box(x: plot.x, y: y, width: plot.width, height: Self.barHeight), fill: "none", stroke: "#c8c8c8")
                canvas.text("none", x: plot.x + 8, y: y + Self.barHeight / 2, fill: ChartStyle.mutedText)
                continue
            }
            var start = 0.0
            for (segment, share) in row.enumerated() where share > 0 {
                let box = Box(x: scale.position(start), y: y, width: scale.position(start + share) - scale.position(start),
                              height: Self.barHeight)
                let percent = NumberFormat.fixed(share * 100, digits: share < 0.1 ? 1 : 0) + "%"
                canvas.rect(box, fill: colours[segment], stroke: "#ffffff", tooltip: "\(names[bar]) · \(drawn.segments[segment]): \(percent)")
                if box.width >= TextMetrics.width(percent, fontSize: 10) + 6 {
                    canvas.text(percent, x: box.x + box.width / 2, y: y + Self.barHeight / 2, anchor: .middle, size: 10,
                                fill: Palette.textColour(on: colours[segment]))
                }
                start += share
            }
        }
        return canvas.svg(width: width, height: plot.maxY + 30, label: title)
    }
}
