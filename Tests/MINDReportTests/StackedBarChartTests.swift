import Testing
@testable import MINDReport

@Suite struct StackedBarChartTests {
    @Test func eachBarIsNormalisedToItsSum() {
        let chart = StackedBarChart(title: "Genres per interest", bars: ["interest 1", "interest 2", "interest 3"],
                                    segments: ["Drama", "Comedy", "Horror"],
                                    values: [[2, 1, 1], [0, 0, 0], [-5, .nan, 3]])
        let shares = chart.shares()
        #expect(shares.segments == ["Drama", "Comedy", "Horror"])
        #expect(shares.values[0] == [0.5, 0.25, 0.25])
        #expect(shares.values[1] == [0, 0, 0])
        #expect(shares.values[2] == [0, 0, 1], "negative and NaN entries count as zero")
        let document = expectValidSVG(chart.svg())
        #expect(document.texts.contains("none"), "the zero-sum bar says so")
        #expect(document.texts.contains("50%"))
        #expect(document.texts.contains("100%"))
        #expect(document.all("title").map(\.text).contains("interest 1 · Comedy: 25%"))
        // Segments fill the bar exactly: their widths add up to the 480 px bar.
        let segmentRects = document.all("rect").filter { $0.children == ["title"] }
        #expect(segmentRects.count == 4, "three segments in the first bar, one in the third")
        let firstBarY = segmentRects.first?.attributes["y"]
        let segmentWidths = segmentRects.filter { $0.attributes["y"] == firstBarY }.compactMap { Double($0.attributes["width"] ?? "") }
        #expect(abs(segmentWidths.reduce(0, +) - 480) <= 0.05)
    }

    @Test func moreThanTenSegmentsFoldTheSmallestIntoOther() {
        // Segment s has weight s + 1 in both bars, so segments 3...11 (the nine largest) are kept.
        let segments = (0..<12).map { "genre \($0)" }
        let row = (0..<12).map { Double($0 + 1) }
        let chart = StackedBarChart(title: "fold", bars: ["a", "b"], segments: segments, values: [row, row])
        let shares = chart.shares()
        #expect(shares.segments == (3..<12).map { "genre \($0)" } + ["other"])
        let total = Double((1...12).reduce(0, +))
        #expect(abs((shares.values[0].last ?? 0) - 6 / total) <= 1e-12, "1 + 2 + 3 of 78")
        #expect(abs(shares.values[0].reduce(0, +) - 1) <= 1e-12)
        #expect(abs((shares.values[0].first ?? 0) - 4 / total) <= 1e-12)
        let document = expectValidSVG(chart.svg())
        #expect(document.texts.contains("other"))
        #expect(!document.texts.contains("genre 0"))
        #expect(document.all("rect").contains { $0.attributes["fill"] == Palette.other && $0.children == ["title"] })
    }

    @Test func tenSegmentsAreNotFolded() {
        let chart = StackedBarChart(title: "ten", bars: ["a"], segments: (0..<10).map { "g\($0)" }, values: [Array(repeating: 1, count: 10)])
        #expect(chart.shares().segments.count == 10)
        #expect(!chart.shares().segments.contains("other"))
    }

    @Test func emptySingleHugeAndNastyInputs() {
        #expect(expectValidSVG(StackedBarChart(title: "e", bars: [], segments: [], values: []).svg()).texts.contains("no data"))
        let single = StackedBarChart(title: "s", bars: ["a"], segments: ["x"], values: [[3]])
        #expect(single.shares().values == [[1]])
        expectValidSVG(single.svg())
        let huge = StackedBarChart(title: "h", bars: ["a"], segments: ["x", "y"],
                                   values: [[Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude]])
        #expect(huge.shares().values == [[0.5, 0.5]])
        let nasty = StackedBarChart(title: Nasty.escaping, bars: [Nasty.long, Nasty.emoji], segments: [Nasty.escaping, Nasty.control],
                                    values: [[1, 2], [.infinity, 1]])
        let document = expectValidSVG(nasty.svg())
        #expect(document.texts.contains(Nasty.escaping))
        #expect(document.texts.contains(Nasty.emoji))
    }
}
