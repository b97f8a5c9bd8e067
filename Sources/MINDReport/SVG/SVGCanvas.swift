import Foundation

/// An axis-aligned rectangle in SVG user units (y grows downward).
struct Box {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    var maxX: Double { x + width }
    var maxY: Double { y + height }
}

/// Fonts, sizes and greys shared by every chart, so they look like one family on a report page.
enum ChartStyle {
    static let fontFamily = "system-ui, sans-serif"
    static let titleSize = 15.0
    static let labelSize = 12.0
    static let tickSize = 11.0
    static let text = "#222222"
    static let mutedText = "#555555"
    static let grid = "#e6e6e6"
    static let axis = "#888888"
    /// Space the title takes above everything else.
    static let titleHeight = 34.0
}

/// Collects SVG elements and wraps them in a complete `<svg>` element. Every number passes through `number(_:)`
/// and every string through `Markup.escape`, so NaN, infinity or a stray `<` can never reach the output.
struct SVGCanvas {
    /// Horizontal alignment of a text element relative to its x coordinate.
    enum Anchor: String {
        case start, middle, end
    }

    private var parts: [String] = []

    /// `value` rounded to 0.01 for an attribute; "0" for NaN and infinities, and clamped to ±1e6, far outside any
    /// chart, so that the integer conversion below cannot trap.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (min(max(value, -1e6), 1e6) * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// A filled rectangle; `tooltip` becomes a `<title>` child that browsers show on hover.
    mutating func rect(_ box: Box, fill: String, stroke: String? = nil, tooltip: String? = nil) {
        let strokeAttribute = stroke.map { " stroke=\"\($0)\"" } ?? ""
        let open = "<rect x=\"\(Self.number(box.x))\" y=\"\(Self.number(box.y))\" width=\"\(Self.number(max(0, box.width)))\" "
            + "height=\"\(Self.number(max(0, box.height)))\" fill=\"\(fill)\"\(strokeAttribute)"
        parts.append(element(open, closing: "rect", tooltip: tooltip))
    }

    /// A straight line, optionally dashed.
    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        parts.append("<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" "
            + "stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\"\(dashAttribute)/>")
    }

    /// An unfilled polyline through `points`.
    mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double, dash: String? = nil) {
        let coordinates = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        parts.append("<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\" "
            + "stroke-linejoin=\"round\"\(dashAttribute)/>")
    }

    /// A filled circle, used as a point marker.
    mutating func circle(x: Double, y: Double, radius: Double, fill: String, tooltip: String? = nil) {
        let open = "<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(radius))\" fill=\"\(fill)\" "
            + "stroke=\"#ffffff\" stroke-width=\"1\""
        parts.append(element(open, closing: "circle", tooltip: tooltip))
    }

    /// Text vertically centred on `y`, rotated by `rotation` degrees about (x, y). A text wider than `maxWidth` is cut
    /// with "…" and keeps its full form in a `<title>` child, so hovering shows it.
    mutating func text(
        _ content: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = ChartStyle.labelSize,
        fill: String = ChartStyle.text, bold: Bool = false, rotation: Double = 0, maxWidth: Double? = nil
    ) {
        let full = TextMetrics.singleLine(content)
        let shown = maxWidth.map { TextMetrics.fit(full, maxWidth: $0, fontSize: size) } ?? full
        // The baseline sits about 0.35 em below the visual centre for Latin text.
        var open = "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y + size * 0.35))\" font-size=\"\(Self.number(size))\" fill=\"\(fill)\""
        if anchor != .start { open += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { open += " font-weight=\"600\"" }
        if rotation != 0 {
            open += " transform=\"rotate(\(Self.number(rotation)) \(Self.number(x)) \(Self.number(y)))\""
        }
        let title = shown == full ? "" : "<title>\(Markup.escape(full))</title>"
        parts.append("\(open)>\(title)\(Markup.escape(shown))</text>")
    }

    /// The chart title, centred at the top and cut to the chart width.
    mutating func title(_ content: String, width: Double) {
        text(content, x: width / 2, y: 18, anchor: .middle, size: ChartStyle.titleSize, bold: true, maxWidth: width - 16)
    }

    /// A grey frame with "no data" in it, drawn instead of a chart whose input has nothing to show.
    mutating func noData(in box: Box) {
        rect(box, fill: "#fafafa", stroke: ChartStyle.grid)
        text("no data", x: box.x + box.width / 2, y: box.y + box.height / 2, anchor: .middle, fill: ChartStyle.mutedText)
    }

    /// The complete standalone `<svg>` element: namespace, size, viewBox, font and a white background.
    func svg(width: Double, height: Double, label: String) -> String {
        let (w, h) = (Self.number(width.rounded(.up)), Self.number(height.rounded(.up)))
        let header = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" "
            + "font-family=\"\(ChartStyle.fontFamily)\" role=\"img\" aria-label=\"\(Markup.escape(TextMetrics.singleLine(label)))\">"
        let background = "<rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"#ffffff\"/>"
        return ([header, background] + parts + ["</svg>"]).joined(separator: "\n")
    }

    private func element(_ open: String, closing name: String, tooltip: String?) -> String {
        guard let tooltip else { return open + "/>" }
        return "\(open)><title>\(Markup.escape(TextMetrics.singleLine(tooltip)))</title></\(name)>"
    }
}
