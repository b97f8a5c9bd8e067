import Foundation

/// A table of already formatted cells, as HTML for the report page or as padded text for the terminal; cells that
/// look numeric are right-aligned so digits line up.
public struct Table: Sendable {
    /// Column headings.
    public var headers: [String]
    /// Body rows; a short row is padded with empty cells, cells past the widest row are kept.
    public var rows: [[String]]
    /// Optional caption above the table.
    public var caption: String?
    /// Indices into `rows` drawn bold in HTML and marked "*" in text, e.g. the best model.
    public var highlightedRows: Set<Int>

    /// A table with `headers` and `rows`, nothing highlighted.
    public init(headers: [String], rows: [[String]], caption: String? = nil) {
        self.headers = headers
        self.rows = rows
        self.caption = caption
        self.highlightedRows = []
    }

    /// Whether `cell` reads as a number ("0.312", "-4", "12.5k", "3.1e-5", "87%", "1,024") or a missing one ("–",
    /// "n/a"), which belongs in the same right-aligned column.
    public static func isNumeric(_ cell: String) -> Bool {
        var text = Substring(cell.trimmingCharacters(in: .whitespaces))
        if text == NumberFormat.missing || text == "n/a" { return true }
        if let last = text.last, "%kMBT".contains(last) { text = text.dropLast() }
        if let first = text.first, "+-−".contains(first) { text = text.dropFirst() }
        let digits = text.filter(\.isNumber)
        guard !digits.isEmpty, let first = text.first, first.isNumber || first == "." else { return false }
        // Double("nan") and Double("infinity") parse, so the characters are checked first.
        guard text.allSatisfy({ "0123456789.,eE+-".contains($0) }) else { return false }
        return Double(text.replacingOccurrences(of: ",", with: "")) != nil
    }

    private var columnCount: Int { max(headers.count, rows.map(\.count).max() ?? 0) }

    private func cell(_ row: [String], _ column: Int) -> String {
        row.indices.contains(column) ? row[column] : ""
    }

    /// A column is numeric when it has body cells and every non-empty one looks numeric; its header aligns with it.
    private func numericColumns() -> [Bool] {
        (0..<columnCount).map { column in
            let cells = rows.map { cell($0, column) }.filter { !$0.isEmpty }
            return !cells.isEmpty && cells.allSatisfy(Self.isNumeric)
        }
    }

    /// A `<table>` element; numeric cells get class "number" and highlighted rows class "highlighted", styled by
    /// `HTMLPage`'s stylesheet.
    public func html() -> String {
        let numeric = numericColumns()
        var lines = ["<table>"]
        if let caption { lines.append("<caption>\(Markup.escape(caption))</caption>") }
        let headerCells = (0..<columnCount).map { column in
            (numeric[column] ? "<th class=\"number\">" : "<th>") + Markup.escape(cell(headers, column)) + "</th>"
        }
        lines.append("<thead><tr>\(headerCells.joined())</tr></thead>")
        lines.append("<tbody>")
        for (index, row) in rows.enumerated() {
            let cells = (0..<columnCount).map { column -> String in
                let text = cell(row, column)
                return (Self.isNumeric(text) ? "<td class=\"number\">" : "<td>") + Markup.escape(text) + "</td>"
            }
            lines.append((highlightedRows.contains(index) ? "<tr class=\"highlighted\">" : "<tr>") + cells.joined() + "</tr>")
        }
        lines += ["</tbody>", "</table>"]
        return lines.joined(separator: "\n")
    }

    /// Fixed-width text: columns two spaces apart, a dashed rule under the headers, numeric columns right-aligned,
    /// highlighted rows prefixed "* " (every line gets a two-character prefix when any row is highlighted).
    public func text() -> String {
        let numeric = numericColumns()
        let table = ([headers] + rows).map { row in (0..<columnCount).map { TextMetrics.singleLine(cell(row, $0)) } }
        let widths = (0..<columnCount).map { column in table.map { Self.displayWidth($0[column]) }.max() ?? 0 }
        let marks = !highlightedRows.isEmpty
        func line(_ cells: [String], prefix: String) -> String {
            let padded = cells.enumerated().map { column, text -> String in
                let padding = String(repeating: " ", count: max(0, widths[column] - Self.displayWidth(text)))
                return numeric[column] ? padding + text : text + padding
            }
            let body = padded.joined(separator: "  ")
            let trimmed = body.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
            return (marks ? prefix : "") + trimmed
        }
        var lines: [String] = []
        if let caption { lines.append(TextMetrics.singleLine(caption)) }
        lines.append(line(table[0], prefix: "  "))
        lines.append(line(widths.map { String(repeating: "-", count: $0) }, prefix: "  "))
        for (index, row) in table.dropFirst().enumerated() {
            lines.append(line(row, prefix: highlightedRows.contains(index) ? "* " : "  "))
        }
        return lines.joined(separator: "\n")
    }

    /// Terminal columns `text` occupies: wide characters (CJK, emoji) take two.
    static func displayWidth(_ text: String) -> Int {
        text.reduce(0) { $0 + (TextMetrics.characterWidth($1) > 0.6 ? 2 : 1) }
    }
}
