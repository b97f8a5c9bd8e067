import Testing
@testable import MINDReport

@Suite struct LineChartTests {
    private func points(_ values: [(Double, Double)]) -> [LineChart.Point] {
        values.map { LineChart.Point(x: $0.0, y: $0.1) }
    }

    @Test func oneSeriesHasAMarkerPerPointAndNoLegend() throws {
        let chart = LineChart(title: "Training loss", xLabel: "epoch", yLabel: "loss",
                              series: [.init(name: "train", points: points([(1, 40), (2, 28), (3, 15), (4, 11)]))])
        let document = expectValidSVG(chart.svg())
        #expect(document.all("circle").count == 4)
        try #require(document.all("polyline").count == 1)
        #expect(document.all("polyline")[0].attributes["points"]?.split(separator: " ").count == 4)
        #expect(!document.texts.contains("train"), "a single series needs no legend")
        #expect(document.texts.contains("epoch"))
        #expect(document.texts.contains("loss"))
        // Integer epochs get integer ticks only (the y ticks are 10, 15, …, 40).
        for tick in ["1", "2", "3", "4"] { #expect(document.texts.contains(tick), "tick \(tick)") }
        #expect(!document.texts.contains("1.5"))
    }

    @Test func nonFinitePointsBreakTheLine() {
        let chart = LineChart(title: "gaps", xLabel: "x", yLabel: "y", series: [
            .init(name: "a", points: points([(1, 1), (2, 2), (3, .nan), (4, 3), (5, .infinity), (6, 2), (7, 1)])),
        ])
        let document = expectValidSVG(chart.svg())
        #expect(document.all("polyline").count == 2, "(1,2) and (6,7); (4) alone is a marker only")
        #expect(document.all("circle").count == 5)
    }

    @Test func severalSeriesGetALegendAndDistinctColours() {
        let chart = LineChart(title: "Recall", xLabel: "epoch", yLabel: "Recall@50", series: [
            .init(name: "MIND", points: points([(1, 0.1), (2, 0.2)])),
            .init(name: Nasty.escaping, points: points([(1, 0.05), (2, 0.12)])),
        ])
        let document = expectValidSVG(chart.svg())
        #expect(document.texts.contains("MIND"))
        #expect(document.texts.contains(Nasty.escaping))
        let strokes = Set(document.all("polyline").compactMap { $0.attributes["stroke"] })
        #expect(strokes.count == 2)
    }

    @Test func emptySingleEqualNegativeAndExtremeInputs() {
        #expect(expectValidSVG(LineChart(title: "e", xLabel: "x", yLabel: "y", series: []).svg()).texts.contains("no data"))
        let allNaN = LineChart(title: "n", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: points([(.nan, 1), (1, .nan)]))])
        #expect(expectValidSVG(allNaN.svg()).texts.contains("no data"))
        let single = expectValidSVG(LineChart(title: "s", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: points([(1, 0.5)]))]).svg())
        #expect(single.all("circle").count == 1)
        #expect(single.all("polyline").count == 0)
        let flat = LineChart(title: "f", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: points([(0, 0.7), (0.5, 0.7), (1, 0.7)]))])
        expectValidSVG(flat.svg())
        let negative = LineChart(title: "neg", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: points([(-3, -1e6), (3, -2e6)]))])
        #expect(expectValidSVG(negative.svg()).texts.contains("-1.4M"))
        let extreme = LineChart(title: "x", xLabel: "x", yLabel: "y", series: [
            .init(name: "a", points: points([(0, -Double.greatestFiniteMagnitude), (1, Double.greatestFiniteMagnitude)])),
        ])
        expectValidSVG(extreme.svg())
    }
}
