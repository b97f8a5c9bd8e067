import Testing
@testable import MINDReport

@Suite struct BarChartTests {
    private func bars(_ document: ParsedDocument) -> [ParsedDocument.Element] {
        // Bars carry a tooltip; legend swatches do not.
        document.all("rect").filter { Palette.categorical.contains($0.attributes["fill"] ?? "") && $0.children == ["title"] }
    }

    @Test func groupedBarsWithIntervalsAndLegend() {
        let chart = BarChart(title: "Recall@50 by history length", categories: ["1–5", "6–20", "21+"], valueLabel: "Recall@50", series: [
            .init(name: "MIND", values: [0.12, 0.2, 0.31], intervals: [0.1...0.14, nil, 0.28...0.34]),
            .init(name: "YouTube DNN", values: [0.1, 0.18, 0.22]),
        ])
        let document = expectValidSVG(chart.svg())
        #expect(bars(document).count == 6)
        #expect(Set(bars(document).compactMap { $0.attributes["fill"] }) == [Palette.category(0), Palette.category(1)])
        // Two whiskers, three lines each, in the whisker colour.
        #expect(document.all("line").filter { $0.attributes["stroke"] == "#333333" }.count == 6)
        #expect(document.texts.contains("YouTube DNN"))
        #expect(document.all("title").map(\.text).contains("MIND · 21+: 0.31"))
        // 0.34 is the highest interval bound, so the axis reaches 0.35.
        #expect(document.texts.contains("0.35"), "\(document.texts)")
    }

    @Test func negativeValuesHangBelowAZeroLine() throws {
        let chart = BarChart(title: "Lift", categories: ["a", "b"], valueLabel: "lift", series: [.init(name: "m", values: [-0.2, 0.4])])
        let document = expectValidSVG(chart.svg())
        let rects = bars(document)
        try #require(rects.count == 2)
        let zero = document.all("line").first { $0.attributes["stroke"] == "#444444" }
        let zeroY = zero.flatMap { Double($0.attributes["y1"] ?? "") } ?? -1
        let negativeTop = Double(rects[0].attributes["y"] ?? "") ?? -1
        let positiveTop = Double(rects[1].attributes["y"] ?? "") ?? -1
        let positiveHeight = Double(rects[1].attributes["height"] ?? "") ?? -1
        #expect(abs(negativeTop - zeroY) <= 0.01, "a negative bar starts at the zero line and goes down")
        #expect(abs((positiveTop + positiveHeight) - zeroY) <= 0.01, "a positive bar ends on the zero line")
        #expect(document.texts.contains("-0.2"))
    }

    @Test func nonFiniteValuesPrintNotAvailable() {
        let chart = BarChart(title: "t", categories: ["a", "b", "c"], valueLabel: "v",
                             series: [.init(name: "m", values: [.nan, .infinity, 1], intervals: [-.infinity...0, nil, 0...Double.infinity])])
        let document = expectValidSVG(chart.svg())
        #expect(document.texts.filter { $0 == "n/a" }.count == 2)
        #expect(bars(document).count == 1)
    }

    @Test func emptySingleAndEqualInputs() {
        #expect(expectValidSVG(BarChart(title: "e", categories: [], valueLabel: "v", series: []).svg()).texts.contains("no data"))
        #expect(expectValidSVG(BarChart(title: "e", categories: ["a"], valueLabel: "v", series: []).svg()).texts.contains("no data"))
        let single = expectValidSVG(BarChart(title: "s", categories: ["only"], valueLabel: "v", series: [.init(name: "m", values: [5])]).svg())
        #expect(bars(single).count == 1)
        let zeros = BarChart(title: "z", categories: ["a", "b"], valueLabel: "v", series: [.init(name: "m", values: [0, 0])])
        #expect(expectValidSVG(zeros.svg()).texts.contains("1.0"), "all zeros still get a 0...1 axis")
        let ragged = BarChart(title: "r", categories: ["a"], valueLabel: "v", series: [.init(name: "m", values: [1, 2, 3])])
        #expect(bars(expectValidSVG(ragged.svg())).count == 3)
    }

    @Test func longCategoryLabelsAreRotatedAndTruncated() {
        let chart = BarChart(title: Nasty.long, categories: [Nasty.long, Nasty.emoji, Nasty.escaping], valueLabel: Nasty.escaping,
                             series: [.init(name: "m", values: [1, 2, 3])])
        let document = expectValidSVG(chart.svg())
        let rotated = document.all("text").filter { $0.attributes["transform"]?.hasPrefix("rotate(-45") == true }
        #expect(rotated.count == 3)
        #expect(document.all("title").map(\.text).contains(TextMetrics.singleLine(Nasty.long)))
        #expect(coordinates(document).allSatisfy { $0 >= -1 })
    }
}
