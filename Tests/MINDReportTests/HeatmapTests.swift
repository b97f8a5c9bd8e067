import Testing
@testable import MINDReport

@Suite struct HeatmapTests {
    private func cells(_ document: ParsedDocument) -> [ParsedDocument.Element] {
        // Cells are the rects carrying a tooltip "row · column: value".
        document.all("rect").filter { $0.children == ["title"] }
    }

    @Test func rendersEveryCellWithItsValueAndLabels() {
        let heatmap = Heatmap(title: "Routing", rowLabels: ["item 1", "item 2"], columnLabels: ["interest 1", "interest 2", "interest 3"],
                              values: [[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]], valueLabel: "coupling weight")
        let document = expectValidSVG(heatmap.svg())
        #expect(cells(document).count == 6)
        let titles = document.all("title").map(\.text)
        #expect(titles.contains("item 1 · interest 2: 0.7"), "\(titles)")
        #expect(document.texts.contains("0.25"))
        #expect(document.texts.contains("coupling weight"))
        #expect(document.texts.contains("Routing"))
        #expect(heatmap.resolvedRange == 0...0.7)
        // The largest value gets the darkest colour of the scale, zero would get white.
        #expect(cells(document).contains { $0.attributes["fill"] == "#08306b" })
        #expect(document.elements.first { $0.attributes["id"] != nil } == nil, "charts carry no ids that could clash on a page")
    }

    @Test func aOneColumnHeatmapWidensForItsTitle() {
        let title = "Attention weights (interest on behaviour)"
        let heatmap = Heatmap(title: title, rowLabels: ["a", "b"], columnLabels: ["interest 1"], values: [[0.4], [0.6]], valueLabel: "w")
        #expect(expectValidSVG(heatmap.svg()).texts.contains(title), "the whole title, not cut with an ellipsis")
    }

    @Test func hidesValuesOnRequest() {
        var heatmap = Heatmap(title: "t", rowLabels: ["a"], columnLabels: ["b"], values: [[0.123]], valueLabel: "v")
        #expect(expectValidSVG(heatmap.svg()).texts.contains("0.123"))
        heatmap.showsValues = false
        #expect(!expectValidSVG(heatmap.svg()).texts.contains("0.123"))
    }

    @Test func escapesLabelsAndRoundTripsThem() {
        let heatmap = Heatmap(title: Nasty.escaping, rowLabels: [Nasty.escaping, Nasty.emoji], columnLabels: [Nasty.escaping],
                              values: [[1], [2]], valueLabel: Nasty.escaping)
        let svg = heatmap.svg()
        #expect(svg.contains("Tom &amp; Jerry &lt;&quot;quoted&quot;&gt; &#39;x&#39;"))
        let document = expectValidSVG(svg)
        #expect(document.texts.contains(Nasty.escaping))
        #expect(document.texts.contains(Nasty.emoji))
        #expect(document.all("svg").first?.attributes["aria-label"] == Nasty.escaping)
    }

    @Test func missingAndInfiniteCellsAreDrawnAsNoValue() {
        let heatmap = Heatmap(title: "gaps", rowLabels: ["a", "b"], columnLabels: ["x", "y"],
                              values: [[.nan, 1], [.infinity]], valueLabel: "w")
        let document = expectValidSVG(heatmap.svg())
        let noValue = document.all("title").filter { $0.text.hasSuffix("no value") }
        #expect(noValue.count == 3, "NaN, +inf and the missing cell")
        #expect(document.texts.contains("no value"), "legend entry for missing cells")
        #expect(heatmap.resolvedRange == 0...1)
    }

    @Test func emptySingleEqualAndNegativeInputs() {
        let empty = expectValidSVG(Heatmap(title: "none", rowLabels: [], columnLabels: [], values: [], valueLabel: "w").svg())
        #expect(empty.texts.contains("no data"))
        let single = expectValidSVG(Heatmap(title: "one", rowLabels: ["r"], columnLabels: ["c"], values: [[0.4]], valueLabel: "w").svg())
        #expect(single.texts.contains("0.4"))
        let equal = Heatmap(title: "flat", rowLabels: ["a", "b"], columnLabels: ["c"], values: [[0], [0]], valueLabel: "w")
        #expect(equal.resolvedRange == 0...1)
        expectValidSVG(equal.svg())
        let negative = Heatmap(title: "neg", rowLabels: ["a"], columnLabels: ["c", "d"], values: [[-2, -1]], valueLabel: "w")
        #expect(negative.resolvedRange == -2...0)
        expectValidSVG(negative.svg())
        let allNaN = Heatmap(title: "nan", rowLabels: ["a"], columnLabels: ["c"], values: [[.nan]], valueLabel: "w",
                             range: -Double.infinity...Double.infinity)
        #expect(allNaN.resolvedRange == 0...1)
        expectValidSVG(allNaN.svg())
        let point = Heatmap(title: "p", rowLabels: ["a"], columnLabels: ["c"], values: [[3]], valueLabel: "w", range: 2...2)
        #expect(point.resolvedRange == 2...3)
        expectValidSVG(point.svg())
    }

    @Test func fiftyRowsAndLongColumnLabelsStayReadable() throws {
        let rows = (1...50).map { "history item \($0)" }
        let columns = (1...10).map { _ in Nasty.long }
        let values: [[Double]] = (0..<50).map { (row: Int) -> [Double] in
            (0..<10).map { (column: Int) -> Double in Double((row * 7 + column * 3) % 11) / 10 }
        }
        let document = expectValidSVG(Heatmap(title: "big", rowLabels: rows, columnLabels: columns, values: values, valueLabel: "w").svg())
        #expect(cells(document).count == 500)
        // Long column labels are rotated, cut with an ellipsis, and keep their full text in a <title>.
        let rotated = document.all("text").filter { $0.attributes["transform"]?.hasPrefix("rotate(-45") == true }
        #expect(rotated.count == 10)
        #expect(rotated.allSatisfy { $0.text.hasSuffix("…") })
        #expect(document.all("title").filter { $0.text == TextMetrics.singleLine(Nasty.long) }.count == 10)
        let coordinates = coordinates(document)
        let root = try #require(document.all("svg").first)
        let height = Double(root.attributes["height"] ?? "") ?? 0
        #expect(height >= 50 * 18 && height < 1400, "height \(height)")
        #expect(coordinates.allSatisfy { $0 >= -1 && $0 <= 2000 })
    }
}
