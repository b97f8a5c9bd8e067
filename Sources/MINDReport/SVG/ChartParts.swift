import Foundation

/// Maps a data interval onto a pixel interval, clamping to it. Works on halves so that a span near
/// `Double.greatestFiniteMagnitude` cannot overflow to infinity.
struct LinearScale {
    var domain: ClosedRange<Double>
    var start: Double
    var end: Double

    func position(_ value: Double) -> Double {
        let span = domain.upperBound / 2 - domain.lowerBound / 2
        guard span > 0, span.isFinite, value.isFinite else { return start }
        let fraction = min(max((value / 2 - domain.lowerBound / 2) / span, 0), 1)
        return start + (end - start) * fraction
    }
}

/// One legend entry: a swatch (or a short line with a marker, for line charts) and a name.
struct LegendEntry {
    var name: String
    var colour: String
    var isLine = false
    var dash: String?
    var isHatched = false
}

/// Legends wrap into rows under the title; layout and drawing share `positions` so they always agree.
enum Legend {
    static let rowHeight = 18.0
    static let maxNameWidth = 220.0

    /// The x offset and row of each entry, wrapped within `width`.
    static func positions(_ entries: [LegendEntry], width: Double) -> [(x: Double, row: Int)] {
        var result: [(x: Double, row: Int)] = []
        var (x, row) = (0.0, 0)
        for entry in entries {
            let entryWidth = 20 + min(TextMetrics.width(entry.name, fontSize: ChartStyle.labelSize), maxNameWidth) + 18
            if x > 0 && x + entryWidth > width {
                (x, row) = (0, row + 1)
            }
            result.append((x, row))
            x += entryWidth
        }
        return result
    }

    /// Vertical space the legend needs, including a gap below it; zero without entries.
    static func height(_ entries: [LegendEntry], width: Double) -> Double {
        guard let last = positions(entries, width: width).last else { return 0 }
        return Double(last.row + 1) * rowHeight + 8
    }
}

/// Category labels under a bar chart: level when every one fits its slot, else rotated 45 degrees and thinned so
/// that rotated neighbours do not overlap.
struct CategoryLabels {
    static let maxRotatedWidth = 150.0
    let texts: [String]
    let slotWidth: Double
    let isRotated: Bool

    init(_ texts: [String], slotWidth: Double) {
        self.texts = texts.map(TextMetrics.singleLine)
        self.slotWidth = slotWidth
        isRotated = texts.contains { TextMetrics.width($0, fontSize: ChartStyle.tickSize) > slotWidth - 4 }
    }

    private var longest: Double {
        min(texts.map { TextMetrics.width($0, fontSize: ChartStyle.tickSize) }.max() ?? 0, Self.maxRotatedWidth)
    }

    /// Space the labels need below the axis line.
    var height: Double { isRotated ? longest * 0.71 + 18 : 22 }

    /// How far the first rotated label reaches left of the first slot's centre.
    var leftOverhang: Double {
        guard isRotated, let first = texts.first else { return 0 }
        return min(TextMetrics.width(first, fontSize: ChartStyle.tickSize), Self.maxRotatedWidth) * 0.71
    }

    /// Draws label `index` under the slot centred on `centres[index]`, its top at `top`.
    func draw(on canvas: inout SVGCanvas, centres: [Double], top: Double) {
        // An 11 px font needs about 14 px between rotated baselines.
        let every = isRotated ? max(1, Int((14 / max(slotWidth, 1)).rounded(.up))) : 1
        for (index, (text, centre)) in zip(texts, centres).enumerated() where index % every == 0 {
            if isRotated {
                canvas.text(text, x: centre + 4, y: top + 8, anchor: .end, size: ChartStyle.tickSize, rotation: -45,
                            maxWidth: Self.maxRotatedWidth)
            } else {
                canvas.text(text, x: centre, y: top + 10, anchor: .middle, size: ChartStyle.tickSize)
            }
        }
    }
}

extension SVGCanvas {
    /// Widest tick label of a value axis, for the left margin.
    static func tickLabelWidth(_ ticks: [Double]) -> Double {
        Ticks.labels(ticks).map { TextMetrics.width($0, fontSize: ChartStyle.tickSize) }.max() ?? 0
    }

    /// Horizontal gridlines with labels left of `plot`, the axis line, and `label` rotated along the axis.
    mutating func valueAxis(ticks: [Double], scale: LinearScale, plot: Box, label: String) {
        for (tick, tickLabel) in zip(ticks, Ticks.labels(ticks)) {
            let y = scale.position(tick)
            line(x1: plot.x, y1: y, x2: plot.maxX, y2: y, stroke: ChartStyle.grid)
            text(tickLabel, x: plot.x - 6, y: y, anchor: .end, size: ChartStyle.tickSize, fill: ChartStyle.mutedText)
        }
        line(x1: plot.x, y1: plot.y, x2: plot.x, y2: plot.maxY, stroke: ChartStyle.axis)
        if !label.isEmpty {
            text(label, x: 14, y: plot.y + plot.height / 2, anchor: .middle, rotation: -90, maxWidth: plot.height)
        }
    }

    /// Tick marks and labels under `plot` for a numeric x axis, the axis line, and `label` centred below.
    mutating func numericBottomAxis(ticks: [Double], scale: LinearScale, plot: Box, label: String) {
        for (tick, tickLabel) in zip(ticks, Ticks.labels(ticks)) {
            let x = scale.position(tick)
            line(x1: x, y1: plot.maxY, x2: x, y2: plot.maxY + 4, stroke: ChartStyle.axis)
            text(tickLabel, x: x, y: plot.maxY + 14, anchor: .middle, size: ChartStyle.tickSize, fill: ChartStyle.mutedText)
        }
        line(x1: plot.x, y1: plot.maxY, x2: plot.maxX, y2: plot.maxY, stroke: ChartStyle.axis)
        if !label.isEmpty {
            text(label, x: plot.x + plot.width / 2, y: plot.maxY + 36, anchor: .middle, maxWidth: plot.width)
        }
    }

    /// The legend wrapped within `width`, its first row centred on `y`.
    mutating func legend(_ entries: [LegendEntry], x: Double, y: Double, width: Double) {
        for (entry, position) in zip(entries, Legend.positions(entries, width: width)) {
            let left = x + position.x
            let middle = y + Double(position.row) * Legend.rowHeight
            if entry.isLine {
                line(x1: left, y1: middle, x2: left + 14, y2: middle, stroke: entry.colour, width: 2, dash: entry.dash)
                circle(x: left + 7, y: middle, radius: 3, fill: entry.colour)
            } else if entry.isHatched {
                missingCell(Box(x: left, y: middle - 6, width: 14, height: 12))
            } else {
                rect(Box(x: left, y: middle - 6, width: 14, height: 12), fill: entry.colour)
            }
            text(entry.name, x: left + 20, y: middle, maxWidth: Legend.maxNameWidth)
        }
    }

    /// A cell without a value: light grey crossed by one diagonal, which reads as "missing" without colour and
    /// needs no `<pattern>` id that could clash between charts on one page.
    mutating func missingCell(_ box: Box, tooltip: String? = nil) {
        rect(box, fill: Palette.missing, stroke: "#c8c8c8", tooltip: tooltip)
        line(x1: box.x, y1: box.maxY, x2: box.maxX, y2: box.y, stroke: "#a0a0a0")
    }
}
