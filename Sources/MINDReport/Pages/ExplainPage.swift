import MINDCore
import MINDData
import MINDServing

/// `mind explain`'s output for one history: the coupling heatmap (behaviours x interests), each interest's top
/// items with their categories, and each recommended item with the interest that retrieved it and the
/// behaviours that weigh most in that interest. As SVG, as an HTML page, or as terminal text.
public struct ExplainPage: Sendable {
    public var explanation: Explanation
    public var labels: ItemLabels
    /// Who the history belongs to ("user 42", or "the given history").
    public var subject: String
    public var modelName: String
    /// Behaviours listed per interest and per recommended item.
    public var supportCount = 3

    public init(explanation: Explanation, labels: ItemLabels, subject: String, modelName: String) {
        self.explanation = explanation
        self.labels = labels
        self.subject = subject
        self.modelName = modelName
    }

    /// "interest 2" for slot 1: people count from one.
    static func interestName(_ slot: Int) -> String { slot < 0 ? "most popular" : "interest \(slot + 1)" }

    var title: String { "\(modelName): why these items for \(subject)" }

    /// The heatmap: one row per routed behaviour (oldest first), one column per active interest.
    public func heatmap() -> Heatmap {
        let columns = explanation.interests.map { Self.interestName($0.slot) }
        let rows = explanation.behaviours.map { labels.describe($0) }
        let values: [[Double]] = explanation.behaviours.indices.map { position in
            explanation.interests.map { Double($0.weights[position]) }
        }
        switch explanation.weight {
        case .coupling:
            return Heatmap(title: "Coupling weights (behaviour to interest)", rowLabels: rows,
                           columnLabels: columns, values: values, valueLabel: "coupling weight", range: 0...1)
        case .attention:
            return Heatmap(title: "Attention weights (interest on behaviour)", rowLabels: rows,
                           columnLabels: columns, values: values, valueLabel: "attention weight", range: 0...1)
        case .similarity:
            return Heatmap(title: "Behaviour-interest inner products (no routing or attention)", rowLabels: rows,
                           columnLabels: columns, values: values, valueLabel: "e_item . u_k")
        }
    }

    /// Each interest's top items, with the behaviours that weigh most in it.
    public func interestTable(items: Int = 10) -> Table {
        var rows: [[String]] = []
        for interest in explanation.interests {
            let leaning = interest.behaviours.prefix(supportCount).map { labels.title(of: explanation.behaviours[$0.position]) }
            for (rank, item) in interest.items.prefix(items).enumerated() {
                rows.append([rank == 0 ? Self.interestName(interest.slot) : "", "\(rank + 1)", labels.title(of: item.item),
                             labels.categories(of: item.item).joined(separator: ", "), NumberFormat.fixed(Double(item.score), digits: 3),
                             rank == 0 ? leaning.joined(separator: "; ") : ""])
            }
        }
        return Table(headers: ["interest", "rank", "item", "categories", "score", "built most from"], rows: rows,
                     caption: "What each interest retrieves on its own (history excluded)")
    }

    /// The merged recommendation: each item, the interest that retrieved it, and that interest's heaviest behaviours.
    public func recommendationTable() -> Table {
        let rows = explanation.recommendations.enumerated().map { rank, item -> [String] in
            let support = explanation.support(of: item, count: supportCount).map { labels.title(of: explanation.behaviours[$0]) }
            return ["\(rank + 1)", labels.title(of: item.item), labels.categories(of: item.item).joined(separator: ", "),
                    NumberFormat.fixed(Double(item.score), digits: 3), Self.interestName(item.interest), support.joined(separator: "; ")]
        }
        return Table(headers: ["rank", "item", "categories", "score", "retrieved by", "history items weighing most there"],
                     rows: rows, caption: "The recommendation (best interest per item, history excluded)")
    }

    /// Genre shares of the history and of each interest's items, as stacked bars.
    public func categoryChart() -> StackedBarChart? {
        guard labels.category != nil else { return nil }
        let names = labels.categoryNames
        func shares(_ items: [Int32]) -> [Double] {
            var weights = [Double](repeating: 0, count: names.count)
            let position = Dictionary(names.enumerated().map { (ExactString($1), $0) }, uniquingKeysWith: { first, _ in first })
            for item in items {
                let categories = labels.categories(of: item)
                for name in categories { if let index = position[ExactString(name)] { weights[index] += 1 / Double(categories.count) } }
            }
            return weights
        }
        let bars = ["history (routed part)"] + explanation.interests.map { Self.interestName($0.slot) }
        let values = [shares(explanation.behaviours)] + explanation.interests.map { shares($0.items.map(\.item)) }
        // Only the categories that occur get a colour and a legend entry.
        let present = names.indices.filter { segment in values.contains { $0[segment] > 0 } }
        return StackedBarChart(title: "Categories of the history and of the items each interest retrieves", bars: bars,
                               segments: present.map { names[$0] }, values: values.map { row in present.map { row[$0] } })
    }

    private var summary: String {
        let active = explanation.interests.count
        var text = "\(explanation.behaviours.count) behaviours read, \(active) active interest\(active == 1 ? "" : "s")"
        if explanation.unknownItems > 0 { text += "; \(explanation.unknownItems) history items not in the catalogue were skipped" }
        return text + "."
    }

    /// A self-contained HTML page.
    public func html() -> String {
        let weighting = switch explanation.weight {
        case .coupling: "Routing"
        case .attention: "Attention"
        case .similarity: "Behaviours"
        }
        var sections = [HTMLPage.Section(title: weighting, html: heatmap().svg(), note: summary)]
        if let chart = categoryChart() { sections.append(HTMLPage.Section(title: "Categories", html: chart.svg())) }
        sections.append(HTMLPage.Section(title: "Interests", html: interestTable().html()))
        sections.append(HTMLPage.Section(title: "Recommendation", html: recommendationTable().html()))
        return HTMLPage(title: title, sections: sections).html()
    }

    /// One SVG: the heatmap, the category bars, and the two tables as text.
    public func svg() -> String {
        var parts = [heatmap().svg()]
        if let chart = categoryChart() { parts.append(chart.svg()) }
        parts.append(TextBlock(title: "Interests", table: interestTable(items: 5)).svg())
        parts.append(TextBlock(title: "Recommendation", table: recommendationTable()).svg())
        return SVGStack(title: title, parts: parts).svg()
    }

    /// Terminal text: the heatmap as numbers, then the two tables.
    public func text() -> String {
        let map = heatmap()
        let grid = Table(headers: ["behaviour (oldest first)"] + map.columnLabels,
                         rows: zip(map.rowLabels, map.values).map { label, row in
                             [label] + row.map { $0.isNaN ? "-" : NumberFormat.fixed($0, digits: 2) }
                         })
        // Each table's text starts with its own caption.
        return [title, summary, "", map.title, grid.text(), "", interestTable().text(), "", recommendationTable().text()]
            .joined(separator: "\n")
    }
}
