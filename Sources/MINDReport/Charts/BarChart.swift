import Foundation

/// Vertical bars grouped by category, one bar per series, with optional interval whiskers (e.g. Recall@50 per user
/// bucket for each model, with bootstrap confidence intervals).
public struct BarChart: Sendable {
    /// One series: a value per category, optionally an interval per category.
    public struct Series: Sendable {
        /// Legend name.
        public var name: String
        /// One value per category; a non-finite value draws no bar and prints "n/a".
        public var values: [Double]
        /// An interval per category drawn as a whisker; nil entries, and intervals with a non-finite bound, draw none.
        public var intervals: [ClosedRange<Double>?]?

        /// A series named `name` (shown in the legend when there are several).
        public init(name: String, values: [Double], intervals: [ClosedRange<Double>?]? = nil) {
            self.name = name
            self.values = values
            self.intervals = intervals
        }
    }

    /// Chart title.
    public var title: String
    /// Category names along the x axis.
    public var categories: [String]
    /// The series, coloured in palette order.
    public var series: [Series]
    /// Caption of the value axis, e.g. "Recall@50".
    public var valueLabel: String

    /// A grouped bar chart of `series` over `categories`.
    public init(title: String, categories: [String], valueLabel: String, series: [Series]) {
        self.title = title
        self.categories = categories
        self.valueLabel = valueLabel
        self.series = series
    }

    /// The complete `<svg>` element. The value axis spans min(0, smallest)...max(0, largest) over values and finite
    /// interval bounds, so every bar starts at zero and negative bars hang below a zero line.
    public func svg() -> String {
        var canvas = SVGCanvas()
        let categoryCount = max(categories.count, series.map(\.values.count).max() ?? 0)
        guard categoryCount > 0, !series.isEmpty else {
            canvas.title(title, width: 400)
            canvas.noData(in: Box(x: 16, y: ChartStyle.titleHeight, width: 368, height: 200))
            return canvas.svg(width: 400, height: ChartStyle.titleHeight + 216, label: title)
        }
        let barWidth = series.count == 1 ? 28.0 : 16.0
        // Narrow charts are stretched to 360 px so a single bar still looks like a chart.
        let slotWidth = max(Double(series.count) * barWidth + 16, 360 / Double(categoryCount))
        let names = (0..<categoryCount).map { categories.indices.contains($0) ? categories[$0] : "" }
        let labels = CategoryLabels(names, slotWidth: slotWidth)

        let domain = Ticks.niceDomain(valueExtent(), targetCount: 5)
        let ticks = Ticks.values(in: domain, targetCount: 5)
        let left = max(28 + SVGCanvas.tickLabelWidth(ticks) + 8, labels.leftOverhang - slotWidth / 2 + 12)
        let plotWidth = Double(categoryCount) * slotWidth
        let width = left + plotWidth + 20
        let entries = series.count > 1 ? series.indices.map { LegendEntry(name: series[$0].name, colour: Palette.category($0)) } : []
        let legendHeight = Legend.height(entries, width: width - left)
        let plot = Box(x: left, y: ChartStyle.titleHeight + legendHeight + 6, width: plotWidth, height: 260)
        let scale = LinearScale(domain: domain, start: plot.maxY, end: plot.y)

        canvas.title(title, width: width)
        canvas.legend(entries, x: left, y: ChartStyle.titleHeight + 4, width: width - left)
        canvas.valueAxis(ticks: ticks, scale: scale, plot: plot, label: valueLabel)
        canvas.line(x1: plot.x, y1: plot.maxY, x2: plot.maxX, y2: plot.maxY, stroke: ChartStyle.axis)
        let zero = scale.position(0)
        for category in 0..<categoryCount {
            let groupLeft = plot.x + Double(category) * slotWidth + (slotWidth - Double(series.count) * barWidth) / 2
            for (index, member) in series.enumerated() {
                let x = groupLeft + Double(index) * barWidth
                drawBar(on: &canvas, series: member, category: category, name: names[category], x: x, width: barWidth,
                        colour: Palette.category(index), scale: scale, zero: zero)
            }
        }
        if domain.lowerBound < 0 {
            canvas.line(x1: plot.x, y1: zero, x2: plot.maxX, y2: zero, stroke: "#444444")
        }
        let centres = (0..<categoryCount).map { plot.x + (Double($0) + 0.5) * slotWidth }
        labels.draw(on: &canvas, centres: centres, top: plot.maxY)
        return canvas.svg(width: width, height: plot.maxY + labels.height + 12, label: title)
    }

    /// min(0, …)...max(0, …) over finite values and finite interval bounds.
    private func valueExtent() -> ClosedRange<Double> {
        var extent = [0.0]
        for member in series {
            extent += member.values.filter(\.isFinite)
            for interval in member.intervals ?? [] {
                guard let interval, interval.lowerBound.isFinite, interval.upperBound.isFinite else { continue }
                extent += [interval.lowerBound, interval.upperBound]
            }
        }
        let (lower, upper) = (extent.min() ?? 0, extent.max() ?? 0)
        // All zeros (or nothing finite) still get an upward 0...1 axis rather than one centred on zero.
        return lower < upper ? lower...upper : 0...1
    }

    private func drawBar(
        on canvas: inout SVGCanvas, series member: Series, category: Int, name: String, x: Double, width: Double,
        colour: String, scale: LinearScale, zero: Double
    ) {
        let value = member.values.indices.contains(category) ? member.values[category] : .nan
        let centre = x + width / 2
        guard value.isFinite else {
            canvas.text("n/a", x: centre, y: zero - 8, anchor: .middle, size: 9, fill: ChartStyle.mutedText)
            return
        }
        let top = scale.position(value)
        let label = series.count > 1 ? "\(member.name) · \(name)" : name
        canvas.rect(Box(x: x + 1, y: min(top, zero), width: width - 2, height: abs(zero - top)), fill: colour,
                    tooltip: "\(label): \(NumberFormat.short(value))")
        guard let intervals = member.intervals, intervals.indices.contains(category), let interval = intervals[category],
              interval.lowerBound.isFinite, interval.upperBound.isFinite else { return }
        let (low, high) = (scale.position(interval.lowerBound), scale.position(interval.upperBound))
        canvas.line(x1: centre, y1: low, x2: centre, y2: high, stroke: "#333333", width: 1.2)
        canvas.line(x1: centre - 4, y1: low, x2: centre + 4, y2: low, stroke: "#333333", width: 1.2)
        canvas.line(x1: centre - 4, y1: high, x2: centre + 4, y2: high, stroke: "#333333", width: 1.2)
    }
}
