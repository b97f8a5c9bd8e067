import Foundation
import MINDData
import MINDEval
import MINDModels
import MINDServing

/// `mind report`'s page: one self-contained HTML file that says how a model trained, how it compares, what its
/// interests hold, and for which users several interests pay off.
public struct ReportPage: Sendable {
    public var report: ModelReport
    /// Where the model directory is, as the user gave it.
    public var modelPath: String

    public init(report: ModelReport, modelPath: String) {
        self.report = report
        self.modelPath = modelPath
    }

    public func html() -> String {
        let manifest = report.manifest
        let subtitle = "\(modelPath) · \(manifest.counts.users) users, \(manifest.counts.items) items, "
            + "\(manifest.counts.interactions) interactions · \(manifest.split.kind.rawValue) split, \(report.options.split.rawValue) users"
        let findings = "<ul>" + summary().map { "<li>\(Markup.escape($0))</li>" }.joined() + "</ul>"
        var sections = [HTMLPage.Section(title: "Summary", html: findings), overview(), training(), evaluation(), interests(), statistics()]
        sections.append(diversity())
        sections.append(configuration())
        return HTMLPage(title: "\(report.modelName) report", subtitle: subtitle, sections: sections.compactMap { $0 }).html()
    }

    /// The page's findings in plain sentences: how the model compares, how distinct its interests are, and how it
    /// fares on the most diverse histories. `mind report` also prints them.
    public func summary() -> [String] {
        var lines: [String] = []
        let cutoff = report.options.cutoffs.last ?? 50
        for comparison in report.comparisons {
            guard let row = comparison.rows.first(where: { $0.cutoff == cutoff && $0.metric == .recall }) else { continue }
            lines.append("Recall@\(cutoff): \(comparison.modelName) \(NumberFormat.fixed(row.model, digits: 4)), \(comparison.againstName) "
                         + "\(NumberFormat.fixed(row.against, digits: 4)); difference \(Self.interval(row)): \(Self.verdict(row, comparison)).")
        }
        let statistics = report.statistics
        if let cosine = InterestStatistics.mean(statistics.userCosines) {
            var line = "Interests: the mean cosine between a user's interests is \(NumberFormat.fixed(cosine, digits: 2))"
            line += cosine > 0.9 ? " (nearly one taste)" : cosine > 0.8 ? " (alike)" : " (distinct)"
            if let decisiveness = InterestStatistics.mean(statistics.maxCouplingWeights) {
                let users = max(statistics.users, 1)
                let meanActive = Double(statistics.activeCounts.reduce(0) { $0 + $1.key * $1.value }) / Double(users)
                line += "; a behaviour's largest coupling weight averages \(NumberFormat.fixed(decisiveness, digits: 2))"
                    + " (uniform over \(NumberFormat.fixed(meanActive, digits: 1)) interests would be \(NumberFormat.fixed(1 / max(meanActive, 1), digits: 2)))"
            }
            lines.append(line + ".")
        } else {
            lines.append("Interests: this model gives each user one vector.")
        }
        let buckets = report.diversity
        if let top = buckets.buckets.last, buckets.buckets.count > 1 {
            for comparison in top.comparisons {
                guard let row = comparison.rows.first(where: { $0.cutoff == buckets.cutoff && $0.metric == .recall }) else { continue }
                lines.append("The most diverse \(top.users) users (\(buckets.measure.rawValue) of the last \(report.historyWindow) items \(NumberFormat.fixed(top.lower, digits: 2))"
                             + "-\(NumberFormat.fixed(top.upper, digits: 2))): Recall@\(buckets.cutoff) \(comparison.modelName) - \(comparison.againstName) "
                             + "\(Self.interval(row)): \(Self.verdict(row, comparison)).")
            }
        }
        return lines
    }

    /// "+0.0123 [+0.0010, +0.0230]".
    static func interval(_ row: PairedComparison.Row) -> String {
        "\(NumberFormat.signed(row.difference)) [\(NumberFormat.signed(row.lower)), \(NumberFormat.signed(row.upper))]"
    }

    /// Plain words for a paired difference.
    static func verdict(_ row: PairedComparison.Row, _ comparison: PairedComparison) -> String {
        if row.lower > 0 { return "\(comparison.modelName) better" }
        if row.upper < 0 { return "\(comparison.againstName) better" }
        return "no clear difference"
    }

    // MARK: - Sections

    private func overview() -> HTMLPage.Section {
        let counts = report.manifest.counts
        let table = Table(headers: ["", "users", "items", "interactions"], rows: [
            ["all", "\(counts.users)", "\(counts.items)", "\(counts.interactions)"],
            ["train", "\(counts.trainUsers)", "", "\(counts.trainingInteractions)"],
            ["valid", "\(counts.validUsers)", "", "\(counts.validCases) cases"],
            ["test", "\(counts.testUsers)", "", "\(counts.testCases) cases"],
        ], caption: "The dataset")
        let categories = report.labels.category.map { "item categories from the feature '\($0.name)'" } ?? "no item categories"
        return HTMLPage.Section(title: "Data", html: table.html(),
                                note: "Split: \(report.manifest.split.kind.rawValue), seed \(report.manifest.split.seed); \(categories).")
    }

    private func training() -> HTMLPage.Section? {
        guard let log = report.training, !log.epochs.isEmpty else {
            return HTMLPage.Section(title: "Training", html: "", note: "This model directory has no training log (metrics.json).")
        }
        let epochs = log.epochs
        let loss = LineChart(title: "Training loss per epoch", xLabel: "epoch", yLabel: "sampled-softmax loss", series: [
            .init(name: "loss", points: epochs.map { .init(x: Double($0.epoch + 1), y: $0.loss) }),
        ])
        var charts = loss.svg()
        let validated = epochs.filter { $0.validationRecall != nil }
        if !validated.isEmpty {
            charts += LineChart(title: "Validation Recall@50 per epoch", xLabel: "epoch", yLabel: "Recall@50", series: [
                .init(name: "validation Recall@50", points: validated.map { .init(x: Double($0.epoch + 1), y: $0.validationRecall ?? .nan) }),
            ]).svg()
        }
        let table = Table(headers: ["epoch", "loss", "validation Recall@50", "seconds", "samples/s"], rows: epochs.map {
            ["\($0.epoch + 1)", NumberFormat.fixed($0.loss, digits: 4), $0.validationRecall.map { NumberFormat.fixed($0, digits: 4) } ?? "-",
             NumberFormat.fixed($0.seconds, digits: 1), NumberFormat.fixed($0.samplesPerSecond, digits: 0)]
        })
        var note = "\(epochs.count) epoch\(epochs.count == 1 ? "" : "s")"
        if let best = log.bestEpoch, let recall = log.bestValidationRecallAt50 {
            note += "; the weights kept are those of epoch \(best) (validation Recall@50 \(NumberFormat.fixed(recall, digits: 4)))"
        }
        note += log.finished ? "." : "; the run did not finish."
        return HTMLPage.Section(title: "Training", html: charts + table.html(), note: note)
    }

    private func evaluation() -> HTMLPage.Section {
        let cutoffs = report.options.cutoffs
        let last = cutoffs.count - 1
        var headers = ["model"]
        for cutoff in cutoffs { headers.append("Recall@\(cutoff)") }
        headers += ["HR@\(cutoffs[last])", "NDCG@\(cutoffs[last])", "Precision@\(cutoffs[last])", "users"]
        let rows = report.evaluations.map { entry -> [String] in
            let summary = entry.users.summary
            return [entry.name] + summary.rows.map { NumberFormat.fixed($0.recall, digits: 4) }
                + [summary.rows[last].hitRate, summary.rows[last].ndcg, summary.rows[last].precision].map { NumberFormat.fixed($0, digits: 4) }
                + ["\(summary.userCount)"]
        }
        var table = Table(headers: headers, rows: rows, caption: "Full-catalogue ranking, history excluded")
        table.highlightedRows = [0]
        let chart = BarChart(title: "Recall by model", categories: report.evaluations.map(\.name), valueLabel: "Recall",
                             series: cutoffs.indices.map { c in
                                 .init(name: "Recall@\(cutoffs[c])", values: report.evaluations.map { $0.users.summary.rows[c].recall })
                             })
        func optional(_ value: Double?) -> String { value.map { NumberFormat.fixed($0, digits: 3) } ?? "-" }
        let beyond = Table(
            headers: ["model", "coverage", "Gini", "tail share", "mean popularity", "intra-list diversity", "category coverage", "hits from another interest"],
            rows: report.evaluations.compactMap { entry in
                entry.beyondAccuracy.last.map { row in
                    [entry.name, NumberFormat.fixed(row.coverage, digits: 3), NumberFormat.fixed(row.gini, digits: 3),
                     NumberFormat.fixed(row.tailShare, digits: 3), NumberFormat.fixed(row.meanPopularity, digits: 1),
                     optional(row.intraListDiversity), optional(row.categoryCoverage), optional(row.otherInterestHitShare)]
                }
            },
            caption: "Beyond accuracy at \(cutoffs[last]): catalogue coverage, concentration (Gini), long-tail share (outside the most popular 20% of items), mean training popularity, category diversity within a list")
        let interval = Int((report.comparisons.first?.confidence ?? 0.95) * 100)
        var differences: [[String]] = []
        for comparison in report.comparisons {
            for row in comparison.rows where row.cutoff == cutoffs[last] {
                differences.append([
                    "\(comparison.modelName) - \(comparison.againstName)", "\(row.metric.title)@\(row.cutoff)",
                    NumberFormat.signed(row.difference), "[\(NumberFormat.signed(row.lower)), \(NumberFormat.signed(row.upper))]",
                    row.relative.map { String(format: "%+.1f%%", $0 * 100) } ?? "-", "\(row.modelBetter) / \(row.againstBetter)",
                ])
            }
        }
        let paired = Table(headers: ["pair", "metric", "difference", "\(interval)% interval", "relative", "users better / worse"],
                           rows: differences, caption: "Paired differences (bootstrap over users, \(report.comparisons.first?.resamples ?? 0) resamples)")
        return HTMLPage.Section(title: "Evaluation", html: table.html() + chart.svg() + paired.html() + beyond.html(),
                                note: "An interval that excludes zero says the difference would very likely hold on another draw of users like these; it does not cover training randomness.")
    }

    private func interests() -> HTMLPage.Section? {
        guard !report.samples.isEmpty else { return nil }
        var html = ""
        for sample in report.samples {
            let page = ExplainPage(explanation: sample.explanation, labels: report.labels, subject: "user \(sample.id)",
                                   modelName: report.modelName)
            let diversity = NumberFormat.fixed(sample.diversity, digits: 2)
            html += "<h3>User \(Markup.escape(sample.id)) (\(sample.history.count) items; \(Markup.escape(report.diversity.measure.rawValue)) of the last \(report.historyWindow): \(diversity))</h3>\n"
            if let chart = page.categoryChart() { html += chart.svg() }
            html += page.heatmap().svg()
            html += page.interestTable(items: 5).html()
        }
        return HTMLPage.Section(title: "What each interest holds", html: html,
                                note: "The least, the median and the most diverse of the evaluated users with a full-length history. For each: the categories of the items each interest retrieves beside those of the history (the MIND paper's figure), the routing weights, and each interest's top items.")
    }

    private func statistics() -> HTMLPage.Section {
        let statistics = report.statistics
        let counts = statistics.activeCounts.keys.sorted()
        var html = Histogram(title: "Users by number of active interests (dynamic K)", xLabel: "active interests",
                             bins: counts.map { .init(label: "\($0)", count: statistics.activeCounts[$0] ?? 0) }).svg()
        if !statistics.userCosines.isEmpty {
            html += Histogram(title: "Mean cosine between a user's interests", xLabel: "cosine (1: one direction)",
                              values: statistics.userCosines, binCount: 10).svg()
        }
        if !statistics.maxCouplingWeights.isEmpty {
            html += Histogram(title: "Routing decisiveness: each behaviour's largest coupling weight", xLabel: "largest weight (1/K': uniform, 1: one interest)",
                              values: statistics.maxCouplingWeights, binCount: 10).svg()
        }
        html += Histogram(title: "Interest vector norms", xLabel: "norm", values: statistics.norms, binCount: 10).svg()
        func mean(_ values: [Double]) -> String { InterestStatistics.mean(values).map { NumberFormat.fixed($0, digits: 3) } ?? "-" }
        let table = Table(headers: ["users", "mean active interests", "mean cosine between interests", "mean largest coupling weight", "mean norm"], rows: [[
            "\(statistics.users)",
            NumberFormat.fixed(Double(statistics.activeCounts.reduce(0) { $0 + $1.key * $1.value }) / Double(max(statistics.users, 1)), digits: 2),
            mean(statistics.userCosines), mean(statistics.maxCouplingWeights), mean(statistics.norms),
        ]])
        var note = "A mean cosine near 1 means a user's interests point one way (routing collapse); near 0, they are unrelated."
        if let cosine = InterestStatistics.mean(statistics.userCosines), cosine > 0.9 {
            note += " Here it is \(NumberFormat.fixed(cosine, digits: 2)): this model's interests are nearly one taste."
        }
        return HTMLPage.Section(title: "Interest statistics", html: table.html() + html, note: note)
    }

    private func diversity() -> HTMLPage.Section {
        let buckets = report.diversity
        let categories = buckets.buckets.map {
            "\(NumberFormat.fixed($0.lower, digits: 2))-\(NumberFormat.fixed($0.upper, digits: 2)) (\($0.users))"
        }
        let chart = BarChart(title: "Recall@\(buckets.cutoff) by diversity of the history", categories: categories,
                             valueLabel: "Recall@\(buckets.cutoff)",
                             series: buckets.models.indices.map { m in .init(name: buckets.models[m], values: buckets.buckets.map { $0.recall[m] }) })
        var rows: [[String]] = []
        for (bucket, label) in zip(buckets.buckets, categories) {
            for comparison in bucket.comparisons {
                guard let row = comparison.rows.first(where: { $0.cutoff == buckets.cutoff && $0.metric == .recall }) else { continue }
                rows.append([label, "\(comparison.modelName) - \(comparison.againstName)", NumberFormat.fixed(row.model, digits: 4),
                             NumberFormat.fixed(row.against, digits: 4), NumberFormat.signed(row.difference),
                             "[\(NumberFormat.signed(row.lower)), \(NumberFormat.signed(row.upper))]", Self.verdict(row, comparison)])
            }
        }
        let table = Table(headers: [buckets.measure.rawValue + " (users)", "pair", "first", "second", "difference", "95% interval", "verdict"],
                          rows: rows, caption: "Recall@\(buckets.cutoff) per bucket, paired within the bucket")
        var note = "Evaluated users cut into \(buckets.buckets.count) groups of equal size by the \(buckets.measure.rawValue) of the last "
            + "\(report.historyWindow) items of their history (the part the model reads)."
        if rows.isEmpty { note += " Give other models with --against to compare within each group." }
        return HTMLPage.Section(title: "When do multiple interests pay off?", html: chart.svg() + table.html(), note: note)
    }

    private func configuration() -> HTMLPage.Section {
        HTMLPage.Section(title: "Configuration", html: Table(headers: ["key", "value"], rows: report.config.map { [$0.key, $0.value] }).html(),
                         note: "Every setting that applies to this model, as `mind train --key value` (or a config file) takes it.")
    }
}
