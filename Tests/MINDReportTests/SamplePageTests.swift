import Foundation
import Testing
@testable import MINDReport

/// Renders one page with every chart to /tmp/mindreport-sample.html, for looking at (and screenshotting) the output.
@Suite struct SamplePageTests {
    static let path = "/tmp/mindreport-sample.html"

    @Test func writesASamplePageWithEveryChart() throws {
        let html = Self.samplePage().html()
        try html.write(toFile: Self.path, atomically: true, encoding: .utf8)
        let written = try String(contentsOfFile: Self.path, encoding: .utf8)
        #expect(written == html)
        let document = ParsedDocument.parse(written)
        #expect(document.error == nil, "\(String(describing: document.error))")
        #expect(document.all("section").count == 10)
        #expect(document.all("svg").count == 8)
        expectNoNonFiniteAttributes(document)
    }

    static func samplePage() -> HTMLPage {
        let interests = (1...4).map { "interest \($0)" }
        let history = ["The Matrix (1999)", "Toy Story (1995)", "Alien (1979)", "Finding Nemo (2003)", "Heat (1995)",
                       "Blade Runner (1982)", "Amélie (2001) — Le Fabuleux Destin d'Amélie Poulain", "Up (2009)"]
        // A planted structure: sci-fi to interest 1, animation to 2, crime to 3, the rest spread.
        let coupling: [[Double]] = [
            [0.82, 0.05, 0.08, 0.05], [0.04, 0.9, 0.03, 0.03], [0.71, 0.02, 0.2, 0.07], [0.03, 0.88, 0.04, 0.05],
            [0.1, 0.02, 0.8, 0.08], [0.77, 0.03, 0.15, 0.05], [0.25, 0.25, 0.25, 0.25], [0.05, 0.84, .nan, 0.06],
        ]
        let heatmap = Heatmap(title: "Routing of user 42's history to interests", rowLabels: history, columnLabels: interests,
                              values: coupling, valueLabel: "coupling weight", range: 0...1)
        let wideValues: [[Double]] = (0..<12).map { (row: Int) -> [Double] in
            (0..<8).map { (column: Int) -> Double in Double((row * 5 + column * 3) % 10) / 9 }
        }
        let wide = Heatmap(title: "Routing with long interest names", rowLabels: (1...12).map { "item \($0)" },
                           columnLabels: (1...8).map { "interest \($0): mostly Sci-Fi & Thriller <mixed>" },
                           values: wideValues,
                           valueLabel: "coupling weight")
        let loss = LineChart(title: "Training loss", xLabel: "epoch", yLabel: "sampled softmax loss", series: [
            .init(name: "train", points: [6.1, 4.8, 4.1, 3.7, 3.5, 3.4, 3.35, 3.3].enumerated().map { .init(x: Double($0.offset + 1), y: $0.element) }),
            .init(name: "validation", points: [6.0, 4.9, 4.3, .nan, 3.9, 3.85, 3.86, 3.9].enumerated().map { .init(x: Double($0.offset + 1), y: $0.element) }),
        ])
        let recall = BarChart(title: "Recall@50 by history length", categories: ["1–5", "6–20", "21–50", "51+"], valueLabel: "Recall@50", series: [
            .init(name: "MIND (K=4)", values: [0.11, 0.19, 0.27, 0.33], intervals: [0.09...0.13, 0.17...0.21, 0.25...0.29, 0.3...0.36]),
            .init(name: "YouTube DNN", values: [0.1, 0.16, 0.2, 0.22], intervals: [0.08...0.12, 0.14...0.18, 0.18...0.22, 0.19...0.25]),
            .init(name: "popularity", values: [0.05, 0.05, 0.04, .nan]),
        ])
        let lift = BarChart(title: "Change in Recall@50 against YouTube DNN", categories: ["Drama", "Comedy", "Horror", "Sci-Fi", "Documentary"],
                            valueLabel: "Δ Recall@50", series: [.init(name: "MIND", values: [0.04, 0.02, -0.015, 0.06, -0.03])])
        let genres = ["Drama", "Comedy", "Action", "Thriller", "Sci-Fi", "Animation", "Romance", "Crime", "Horror", "Documentary",
                      "Western", "Film-Noir"]
        let genreCounts: [[Double]] = [
            [5, 3, 30, 12, 40, 1, 2, 4, 3, 0, 1, 0], [4, 20, 3, 1, 2, 45, 6, 0, 0, 1, 0, 0],
            [10, 4, 15, 35, 2, 0, 3, 28, 6, 0, 0, 2], [25, 22, 2, 3, 1, 4, 30, 2, 0, 5, 1, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ]
        let stacked = StackedBarChart(title: "Genres among the top 50 items each interest retrieves",
                                      bars: interests + ["interest 5 (unused)"], segments: genres, values: genreCounts)
        let active = Histogram(title: "Users by number of active interests", xLabel: "active interests (weight ≥ 0.1)",
                               values: [1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 2, 3, 4, 1], binCount: 10)
        let normValues: [Double] = (0..<400).map { (index: Int) -> Double in
            let phase = Double(index)
            return 0.6 + 0.8 * sin(phase * 0.37) * sin(phase * 0.11)
        }
        let norms = Histogram(title: "Interest vector norms", xLabel: "L2 norm",
                              values: normValues, binCount: 16)
        var table = Table(headers: ["model", "Recall@50", "HR@50", "NDCG@50", "users"],
                          rows: [["MIND (K=4)", "0.312", "0.541", "0.164", "6,040"], ["YouTube DNN", "0.251", "0.482", "0.131", "6,040"],
                                 ["popularity", "0.048", "0.190", "0.021", "6,040"]],
                          caption: "MovieLens-1M, test split, 95 % bootstrap intervals in the chart above")
        table.highlightedRows = [0]
        return HTMLPage(title: "mind report — MovieLens-1M", subtitle: "MIND, K = 4 interests, 3 routing iterations, seed 7", sections: [
            .init(title: "Evaluation", html: table.html(), note: "Bold: the best model on Recall@50."),
            .init(title: "Recall by history length", html: recall.svg(), note: "Whiskers: 95 % bootstrap intervals; popularity has no users with 51+ items."),
            .init(title: "Change against the baseline", html: lift.svg()),
            .init(title: "Training", html: loss.svg(), note: "The validation point at epoch 4 was not measured."),
            .init(title: "Routing of one user", html: heatmap.svg(), note: "One history item was masked (crossed cell)."),
            .init(title: "Routing, long labels", html: wide.svg()),
            .init(title: "What each interest retrieves", html: stacked.svg()),
            .init(title: "Active interests", html: active.svg()),
            .init(title: "Interest norms", html: norms.svg()),
            .init(title: "Notes", html: HTMLPage.paragraph("Charts are plain SVG: hover a cell, bar or point for its exact value.")),
        ])
    }
}
