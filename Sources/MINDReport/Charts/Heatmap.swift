import Foundation

/// A rows × columns grid of values coloured white to dark blue, e.g. how strongly each item of a user's history is
/// routed to each interest capsule.
public struct Heatmap: Sendable {
    /// Chart title.
    public var title: String
    /// One label per row, drawn left of the grid.
    public var rowLabels: [String]
    /// One label per column, drawn above the grid (rotated when too wide for a cell).
    public var columnLabels: [String]
    /// `values[row][column]`; NaN and infinities are drawn as grey, crossed "no value" cells, missing entries too.
    public var values: [[Double]]
    /// What the colour scale measures, e.g. "coupling weight".
    public var valueLabel: String
    /// The values mapped to white and dark blue (values outside are clamped); nil, or non-finite bounds, take
    /// min(0, smallest)...max(0, largest) finite value (0...max for weights), or 0...1 when that is empty.
    public var range: ClosedRange<Double>?
    /// Print each value in its cell. Cells are a fixed 46 × 18 px, which fits any `NumberFormat.short` text, so
    /// this starts true; turn it off for a quieter picture.
    public var showsValues: Bool

    /// A heatmap of `values[row][column]`.
    public init(
        title: String, rowLabels: [String], columnLabels: [String], values: [[Double]], valueLabel: String,
        range: ClosedRange<Double>? = nil
    ) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.valueLabel = valueLabel
        self.range = range
        self.showsValues = true
    }

    private static let cellWidth = 46.0
    private static let cellHeight = 18.0
    /// The widest the chart grows to fit its title (longer titles are cut with an ellipsis).
    private static let maxTitleWidth = 720.0
    private static let maxRowLabelWidth = 220.0
    private static let maxColumnLabelWidth = 150.0
    private static let scaleBarWidth = 14.0

    /// The range colours are drawn over, always finite and non-empty.
    public var resolvedRange: ClosedRange<Double> {
        if let range, range.lowerBound.isFinite, range.upperBound.isFinite {
            return range.lowerBound < range.upperBound ? range : range.lowerBound...(range.lowerBound + 1)
        }
        let finite = values.joined().filter(\.isFinite)
        guard let largest = finite.max(), let smallest = finite.min() else { return 0...1 }
        let (lower, upper) = (min(0, smallest), max(0, largest))
        return lower < upper ? lower...upper : lower...(lower + 1)
    }

    /// The complete `<svg>` element.
    public func svg() -> String {
        let rowCount = max(rowLabels.count, values.count)
        let columnCount = max(columnLabels.count, values.map(\.count).max() ?? 0)
        var canvas = SVGCanvas()
        guard rowCount > 0, columnCount > 0 else {
            canvas.title(title, width: 360)
            canvas.noData(in: Box(x: 16, y: ChartStyle.titleHeight, width: 328, height: 140))
            return canvas.svg(width: 360, height: ChartStyle.titleHeight + 156, label: title)
        }
        let rows = (0..<rowCount).map { rowLabels.indices.contains($0) ? rowLabels[$0] : "" }
        let columns = (0..<columnCount).map { columnLabels.indices.contains($0) ? columnLabels[$0] : "" }
        let rowLabelWidth = min(rows.map { TextMetrics.width($0, fontSize: ChartStyle.labelSize) }.max() ?? 0, Self.maxRowLabelWidth)
        let columnLabelWidth = min(columns.map { TextMetrics.width($0, fontSize: ChartStyle.labelSize) }.max() ?? 0, Self.maxColumnLabelWidth)
        let rotatesColumns = columnLabelWidth > Self.cellWidth - 6
        // A label rotated by 45 degrees rises and reaches right by 0.71 of its length.
        let columnLabelHeight = rotatesColumns ? columnLabelWidth * 0.71 + 14 : 22
        let grid = Box(
            x: 12 + rowLabelWidth + 8, y: ChartStyle.titleHeight + columnLabelHeight,
            width: Double(columnCount) * Self.cellWidth, height: Double(rowCount) * Self.cellHeight
        )
        let scaleX = grid.maxX + 24
        let scaleHeight = max(100, min(grid.height, 200))
        let range = resolvedRange
        let scaleTicks = Ticks.values(in: range, targetCount: 4)
        let scaleLabelsWidth = SVGCanvas.tickLabelWidth(scaleTicks)
        let valueLabelWidth = min(TextMetrics.width(valueLabel, fontSize: ChartStyle.labelSize), 200)
        let scaleWidth = max(Self.scaleBarWidth + 6 + scaleLabelsWidth, valueLabelWidth, 80)
        // Wide enough for the title too: a one-column heatmap is narrower than most titles.
        let titleWidth = min(TextMetrics.width(title, fontSize: ChartStyle.titleSize) + 24, Self.maxTitleWidth)
        let width = max(scaleX + scaleWidth + 16, grid.maxX + (rotatesColumns ? columnLabelWidth * 0.71 : 0) + 16, titleWidth)
        let hasMissing = (0..<rowCount).contains { row in (0..<columnCount).contains { !value(row, $0).isFinite } }
        let height = max(grid.maxY, grid.y + 22 + scaleHeight + (hasMissing ? 30 : 0)) + 16

        canvas.title(title, width: width)
        for (index, label) in rows.enumerated() {
            canvas.text(label, x: grid.x - 8, y: grid.y + (Double(index) + 0.5) * Self.cellHeight, anchor: .end,
                        maxWidth: Self.maxRowLabelWidth)
        }
        for (index, label) in columns.enumerated() {
            let centre = grid.x + (Double(index) + 0.5) * Self.cellWidth
            if rotatesColumns {
                canvas.text(label, x: centre - 2, y: grid.y - 8, rotation: -45, maxWidth: Self.maxColumnLabelWidth)
            } else {
                canvas.text(label, x: centre, y: grid.y - 10, anchor: .middle)
            }
        }
        drawCells(on: &canvas, grid: grid, rows: rows, columns: columns, range: range)
        // Cells at the bottom of the range are white; the outline keeps them visible as part of the grid.
        canvas.rect(grid, fill: "none", stroke: "#c8c8c8")
        drawScale(on: &canvas, x: scaleX, y: grid.y, height: scaleHeight, ticks: scaleTicks, range: range, hasMissing: hasMissing)
        return canvas.svg(width: width, height: height, label: title)
    }

    private func value(_ row: Int, _ column: Int) -> Double {
        guard values.indices.contains(row), values[row].indices.contains(column) else { return .nan }
        return values[row][column]
    }

    private func fraction(_ value: Double, in range: ClosedRange<Double>) -> Double {
        LinearScale(domain: range, start: 0, end: 1).position(value)
    }

    private func drawCells(on canvas: inout SVGCanvas, grid: Box, rows: [String], columns: [String], range: ClosedRange<Double>) {
        for row in rows.indices {
            for column in columns.indices {
                let cell = Box(x: grid.x + Double(column) * Self.cellWidth, y: grid.y + Double(row) * Self.cellHeight,
                               width: Self.cellWidth, height: Self.cellHeight)
                let cellValue = value(row, column)
                let name = "\(rows[row]) · \(columns[column])"
                guard cellValue.isFinite else {
                    canvas.missingCell(cell, tooltip: "\(name): no value")
                    continue
                }
                let colour = Palette.sequential(fraction(cellValue, in: range))
                canvas.rect(cell, fill: colour, stroke: "#ffffff", tooltip: "\(name): \(NumberFormat.short(cellValue))")
                if showsValues {
                    canvas.text(NumberFormat.short(cellValue), x: cell.x + cell.width / 2, y: cell.y + cell.height / 2,
                                anchor: .middle, size: 10, fill: Palette.textColour(on: colour))
                }
            }
        }
    }

    /// The colour scale: a vertical ramp of 40 bands (no gradient, so no element id), ticks, and the value label.
    private func drawScale(
        on canvas: inout SVGCanvas, x: Double, y: Double, height: Double, ticks: [Double], range: ClosedRange<Double>,
        hasMissing: Bool
    ) {
        canvas.text(valueLabel, x: x, y: y + 4, maxWidth: 200)
        let bar = Box(x: x, y: y + 16, width: Self.scaleBarWidth, height: height)
        let bands = 40
        for band in 0..<bands {
            let bandHeight = bar.height / Double(bands)
            let top = bar.y + Double(band) * bandHeight
            // The highest value sits at the top; each band takes the colour of its midpoint.
            canvas.rect(Box(x: bar.x, y: top, width: bar.width, height: bandHeight + 0.5),
                        fill: Palette.sequential(1 - (Double(band) + 0.5) / Double(bands)))
        }
        canvas.rect(bar, fill: "none", stroke: ChartStyle.axis)
        let scale = LinearScale(domain: range, start: bar.maxY, end: bar.y)
        for (tick, label) in zip(ticks, Ticks.labels(ticks)) {
            let tickY = scale.position(tick)
            canvas.line(x1: bar.maxX, y1: tickY, x2: bar.maxX + 4, y2: tickY, stroke: ChartStyle.axis)
            canvas.text(label, x: bar.maxX + 6, y: tickY, size: ChartStyle.tickSize, fill: ChartStyle.mutedText)
        }
        if hasMissing {
            canvas.legend([LegendEntry(name: "no value", colour: Palette.missing, isHatched: true)],
                          x: x, y: bar.maxY + 18, width: 200)
        }
    }
}
