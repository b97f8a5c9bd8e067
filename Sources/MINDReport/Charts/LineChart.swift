import Foundation

/// Lines over a numeric x axis, e.g. training loss and validation recall per epoch.
public struct LineChart: Sendable {
    /// One (x, y) observation.
    public struct Point: Sendable, Equatable {
        /// Position along the x axis, e.g. the epoch.
        public var x: Double
        /// Value, e.g. the loss.
        public var y: Double

        /// A point at (x, y); a non-finite coordinate makes it a gap in its line.
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// One named line; its points are joined in the given order.
    public struct Series: Sendable {
        /// Legend name.
        public var name: String
        /// The points, joined in this order.
        public var points: [Point]

        /// A line named `name` (shown in the legend when there are several).
        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    /// Chart title.
    public var title: String
    /// Caption of the x axis, e.g. "epoch".
    public var xLabel: String
    /// Caption of the y axis, e.g. "loss".
    public var yLabel: String
    /// The lines, coloured in palette order.
    public var series: [Series]

    /// A line chart of `series`.
    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    private static let plotWidth = 560.0
    private static let plotHeight = 280.0

    /// The complete `<svg>` element: a marker on every finite point (so a single point shows), lines broken at
    /// non-finite points, and a legend when there is more than one series.
    public func svg() -> String {
        var canvas = SVGCanvas()
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        guard let minX = finite.map(\.x).min(), let maxX = finite.map(\.x).max(),
              let minY = finite.map(\.y).min(), let maxY = finite.map(\.y).max() else {
            let width = Self.plotWidth + 80
            canvas.title(title, width: width)
            canvas.noData(in: Box(x: 16, y: ChartStyle.titleHeight, width: width - 32, height: Self.plotHeight))
            return canvas.svg(width: width, height: ChartStyle.titleHeight + Self.plotHeight + 16, label: title)
        }
        // Epochs and step counts are integers: their ticks should be too.
        let integerX = finite.allSatisfy { $0.x == $0.x.rounded() && abs($0.x) < 1e15 }
        let xDomain = Ticks.niceDomain(minX...maxX, targetCount: 6, integersOnly: integerX)
        let yDomain = Ticks.niceDomain(minY...maxY, targetCount: 5)
        let xTicks = Ticks.values(in: xDomain, targetCount: 6, integersOnly: integerX)
        let yTicks = Ticks.values(in: yDomain, targetCount: 5)
        let left = 28 + SVGCanvas.tickLabelWidth(yTicks) + 8
        let width = left + Self.plotWidth + 24
        let entries = series.count > 1 ? series.indices.map {
            LegendEntry(name: series[$0].name, colour: Palette.category($0), isLine: true, dash: dash($0))
        } : []
        let legendHeight = Legend.height(entries, width: width - left)
        let plot = Box(x: left, y: ChartStyle.titleHeight + legendHeight + 6, width: Self.plotWidth, height: Self.plotHeight)
        let xScale = LinearScale(domain: xDomain, start: plot.x, end: plot.maxX)
        let yScale = LinearScale(domain: yDomain, start: plot.maxY, end: plot.y)

        canvas.title(title, width: width)
        canvas.legend(entries, x: left, y: ChartStyle.titleHeight + 4, width: width - left)
        canvas.valueAxis(ticks: yTicks, scale: yScale, plot: plot, label: yLabel)
        canvas.numericBottomAxis(ticks: xTicks, scale: xScale, plot: plot, label: xLabel)
        for (index, line) in series.enumerated() {
            let colour = Palette.category(index)
            var segment: [(x: Double, y: Double)] = []
            // A trailing gap flushes the last segment.
            for point in line.points + [Point(x: .nan, y: .nan)] {
                guard point.x.isFinite && point.y.isFinite else {
                    if segment.count > 1 { canvas.polyline(segment, stroke: colour, width: 2, dash: dash(index)) }
                    segment = []
                    continue
                }
                segment.append((xScale.position(point.x), yScale.position(point.y)))
            }
            for point in line.points where point.x.isFinite && point.y.isFinite {
                let tooltip = "\(line.name): \(NumberFormat.short(point.x)), \(NumberFormat.short(point.y))"
                canvas.circle(x: xScale.position(point.x), y: yScale.position(point.y), radius: 3, fill: colour, tooltip: tooltip)
            }
        }
        return canvas.svg(width: width, height: plot.maxY + 50, label: title)
    }

    /// Series past the tenth reuse the palette, so they are dashed to stay apart.
    private func dash(_ index: Int) -> String? {
        index >= Palette.categorical.count ? "6 3" : nil
    }
}
