import Foundation

/// Several charts in one SVG file, one under another (nested `<svg>` elements keep each chart's own
/// coordinates), under a title.
struct SVGStack {
    var title: String
    var parts: [String]
    var gap = 16.0

    func svg() -> String {
        let titleHeight = 36.0
        var y = titleHeight
        var width = 0.0
        var body = ""
        for part in parts {
            let size = Self.size(of: part)
            body += "<g transform=\"translate(0,\(Self.number(y)))\">\(part)</g>\n"
            y += size.height + gap
            width = max(width, size.width)
        }
        width = max(width, Double(title.count) * 9.6 + 32)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(width))" height="\(Self.number(y))" \
            viewBox="0 0 \(Self.number(width)) \(Self.number(y))" font-family="system-ui, sans-serif">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="16" y="24" font-size="16" font-weight="600">\(Markup.escape(title))</text>
            \(body)</svg>
            """
    }

    /// The width and height attributes of an SVG's root element (0 where absent or unreadable).
    static func size(of svg: String) -> (width: Double, height: Double) {
        guard let end = svg.firstIndex(of: ">") else { return (0, 0) }
        let head = svg[..<end]
        func attribute(_ name: String) -> Double {
            guard let range = head.range(of: " \(name)=\"") else { return 0 }
            let rest = head[range.upperBound...]
            return Double(rest.prefix { $0 != "\"" }) ?? 0
        }
        return (attribute("width"), attribute("height"))
    }

    /// A coordinate without needless digits.
    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.1f", value) : "0"
    }
}

/// A table drawn as monospaced SVG text, for SVG files that carry listings beside charts.
struct TextBlock {
    var title: String
    var table: Table

    func svg() -> String {
        let lines = table.text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let lineHeight = 15.0, characterWidth = 7.2
        let width = Double(max(lines.map(\.count).max() ?? 0, title.count)) * characterWidth + 32
        let height = Double(lines.count) * lineHeight + 40
        var body = ""
        for (number, line) in lines.enumerated() {
            body += "<text x=\"16\" y=\(quoted(44 + Double(number) * lineHeight)) xml:space=\"preserve\">\(Markup.escape(line))</text>\n"
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(SVGStack.number(width))" height="\(SVGStack.number(height))" \
            viewBox="0 0 \(SVGStack.number(width)) \(SVGStack.number(height))">
            <text x="16" y="20" font-family="system-ui, sans-serif" font-size="14" font-weight="600">\(Markup.escape(title))</text>
            <g font-family="ui-monospace, monospace" font-size="12">
            \(body)</g></svg>
            """
    }

    private func quoted(_ value: Double) -> String { "\"" + SVGStack.number(value) + "\"" }
}
