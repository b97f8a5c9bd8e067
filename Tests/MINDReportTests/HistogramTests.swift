import Testing
@testable import MINDReport

@Suite struct HistogramTests {
    @Test func equalWidthBinsOverKnownValues() {
        let histogram = Histogram(title: "norms", xLabel: "norm", values: [0, 0.1, 0.25, 0.5, 0.6, 0.99, 1, .nan, .infinity], binCount: 4)
        #expect(histogram.bins == [
            .init(label: "0.00–0.25", count: 2), .init(label: "0.25–0.50", count: 1),
            .init(label: "0.50–0.75", count: 2), .init(label: "0.75–1.00", count: 2),
        ])
        let document = expectValidSVG(histogram.svg())
        #expect(document.texts.contains("0.50–0.75"))
        #expect(document.texts.contains("count"))
        #expect(document.texts.contains("norm"))
    }

    @Test func integerValuesGetOneBinPerInteger() {
        let histogram = Histogram(title: "interests", xLabel: "active interests", values: [1, 2, 2, 4, 4, 4], binCount: 10)
        #expect(histogram.bins.map(\.label) == ["1", "2", "3", "4"])
        #expect(histogram.bins.map(\.count) == [1, 2, 0, 3])
        // The count axis has whole-number ticks only.
        let document = expectValidSVG(histogram.svg())
        #expect(!document.texts.contains("0.5"))
        #expect(document.texts.contains("3"))
    }

    @Test func singleValueEmptyAndExtremeInputs() {
        #expect(Histogram(title: "s", xLabel: "x", values: [0.3, 0.3, .nan], binCount: 5).bins == [.init(label: "0.3", count: 2)])
        #expect(Histogram(title: "e", xLabel: "x", values: [.nan], binCount: 5).bins == [])
        #expect(expectValidSVG(Histogram(title: "e", xLabel: "x", bins: []).svg()).texts.contains("no data"))
        let extreme = Histogram(title: "x", xLabel: "x", values: [-Double.greatestFiniteMagnitude, 0, Double.greatestFiniteMagnitude], binCount: 3)
        #expect(extreme.bins.map(\.count) == [1, 1, 1])
        // Every edge prints as a number, never as the missing-value dash.
        #expect(!extreme.bins.contains { $0.label.hasPrefix("–") || $0.label.hasSuffix("–") || $0.label.contains("––") })
        expectValidSVG(extreme.svg())
        #expect(Histogram(title: "z", xLabel: "x", values: [1, 2.5], binCount: 0).bins.count == 1)
        #expect(Histogram(title: "z", xLabel: "x", values: [0, 1e-3], binCount: 1_000_000).bins.count == Histogram.maxBinCount)
    }

    @Test func manyBinsAndNegativeCountsStayWellFormed() {
        let bins = (0..<150).map { Histogram.Bin(label: "bin \($0) \(Nasty.escaping)", count: $0 == 3 ? -4 : $0 % 17) }
        let document = expectValidSVG(Histogram(title: "many", xLabel: Nasty.emoji, bins: bins).svg())
        #expect(document.all("rect").filter { $0.children == ["title"] }.count == 150)
        #expect(coordinates(document).allSatisfy { $0 >= -1 })
        #expect(document.all("rect").allSatisfy { (Double($0.attributes["height"] ?? "0") ?? -1) >= 0 })
    }

    @Test func binEdgesAreRoundNumbersWhenTheyFit() throws {
        let histogram = Histogram(title: "norms", xLabel: "norm", values: [-0.1996, 0.05, 0.31, 1.3972], binCount: 16)
        try #require(histogram.bins.count == 16)
        #expect(histogram.bins.first?.label == "-0.2 – -0.1", "spaced when an edge is negative")
        #expect(histogram.bins[2] == .init(label: "0.0 – 0.1", count: 1))
        #expect(histogram.bins.last == .init(label: "1.3 – 1.4", count: 1))
        #expect(histogram.bins.map(\.count).reduce(0, +) == 4)
        // 0.3 sits on an edge and belongs to the bin it opens, not to the one before (no 0.30000000000000004).
        let tenths = Histogram(title: "t", xLabel: "x", values: [0, 0.3, 1], binCount: 10).bins
        #expect(tenths[3] == .init(label: "0.3–0.4", count: 1))
        #expect(tenths.map(\.count) == [1, 0, 0, 1, 0, 0, 0, 0, 0, 1])
        // Widths 0.5 (bins from 0.5 to 2.5 would need 4) are too narrow; width 1 from 0 covers the data in 3.
        #expect(Histogram(title: "t", xLabel: "x", values: [0.5, 2.5], binCount: 3).bins.map(\.label) == ["0–1", "1–2", "2–3"])
    }
}
