import Foundation

/// Metrics averaged over the evaluated users at each cutoff: what `mind evaluate` prints and writes as JSON.
public struct EvaluationResult: Codable, Sendable, Equatable {
    /// The averages at one cutoff N.
    public struct Row: Codable, Sendable, Equatable {
        public var cutoff: Int
        public var recall: Double
        public var hitRate: Double
        public var ndcg: Double
        public var precision: Double
        /// Users averaged over.
        public var userCount: Int

        public init(cutoff: Int, metrics: RankingMetrics, userCount: Int) {
            self.cutoff = cutoff
            recall = metrics.recall
            hitRate = metrics.hitRate
            ndcg = metrics.ndcg
            precision = metrics.precision
            self.userCount = userCount
        }

        /// The four metrics of this row.
        public var metrics: RankingMetrics {
            RankingMetrics(recall: recall, hitRate: hitRate, ndcg: ndcg, precision: precision)
        }
    }

    /// One row per cutoff, in the order the cutoffs were given.
    public var rows: [Row]
    /// Users evaluated (with a non-empty truth).
    public var userCount: Int
    /// Cases left out because their truth was empty: no metric is defined for them.
    public var skippedCount: Int
    /// Coverage, concentration, popularity and diversity of the same lists at each cutoff, when measured.
    public var beyondAccuracy: [BeyondAccuracyMetrics]?

    public init(rows: [Row], userCount: Int, skippedCount: Int) {
        self.rows = rows
        self.userCount = userCount
        self.skippedCount = skippedCount
    }

    /// The row for cutoff N, if it was evaluated.
    public subscript(cutoff cutoff: Int) -> Row? {
        rows.first { $0.cutoff == cutoff }
    }

    /// A plain-text table, one line per cutoff, for the terminal.
    public func table() -> String {
        var lines = [
            pad("N", 6) + pad("Recall", 10) + pad("HR", 10) + pad("NDCG", 10) + pad("Precision", 11) + pad("users", 9)
        ]
        for row in rows {
            lines.append(
                pad("\(row.cutoff)", 6) + pad(fixed(row.recall), 10) + pad(fixed(row.hitRate), 10)
                    + pad(fixed(row.ndcg), 10) + pad(fixed(row.precision), 11) + pad("\(row.userCount)", 9))
        }
        if skippedCount > 0 { lines.append("(\(skippedCount) users with an empty truth not evaluated)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The beyond-accuracy metrics as a plain-text table (empty when they were not measured).
    public func beyondAccuracyTable() -> String {
        guard let beyondAccuracy, !beyondAccuracy.isEmpty else { return "" }
        var lines = [
            pad("N", 6) + pad("coverage", 10) + pad("Gini", 8) + pad("tail share", 12) + pad("mean pop.", 11)
                + pad("list div.", 11) + pad("cat. cov.", 11) + pad("other-interest hits", 21)
        ]
        let optional = { (value: Double?) in value.map { String(format: "%.4f", $0) } ?? "-" }
        for row in beyondAccuracy {
            lines.append(
                pad("\(row.cutoff)", 6) + pad(fixed(row.coverage), 10) + pad(fixed(row.gini), 8) + pad(fixed(row.tailShare), 12)
                    + pad(String(format: "%.1f", row.meanPopularity), 11) + pad(optional(row.intraListDiversity), 11)
                    + pad(optional(row.categoryCoverage), 11) + pad(optional(row.otherInterestHitShare), 21))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func fixed(_ value: Double) -> String { String(format: "%.4f", value) }

    private func pad(_ text: String, _ width: Int) -> String { rightAligned(text, width) }
}

/// `text` right-aligned in a column of `width` characters, or after one space when it is wider.
func rightAligned(_ text: String, _ width: Int) -> String {
    text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
}
