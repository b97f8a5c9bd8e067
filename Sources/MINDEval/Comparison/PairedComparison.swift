import Foundation
import MINDCore

/// One of the four ranking metrics, by name.
public enum RankingMetricName: String, Codable, CaseIterable, Sendable {
    case recall
    case hitRate
    case ndcg
    case precision

    public func value(of metrics: RankingMetrics) -> Double {
        switch self {
        case .recall: return metrics.recall
        case .hitRate: return metrics.hitRate
        case .ndcg: return metrics.ndcg
        case .precision: return metrics.precision
        }
    }

    /// The column title used in tables.
    public var title: String {
        switch self {
        case .recall: return "Recall"
        case .hitRate: return "HR"
        case .ndcg: return "NDCG"
        case .precision: return "Precision"
        }
    }
}

/// Two models evaluated on the same users: the difference of every metric with a paired-bootstrap interval.
///
/// The users, not the models, are resampled: each resample draws the evaluated users with replacement and
/// averages the per-user differences, so the interval says how much the gap could move on another draw of users
/// of the same kind. It does not cover training randomness (compare models trained with several seeds for that).
public struct PairedComparison: Codable, Sendable, Equatable {
    /// One metric at one cutoff.
    public struct Row: Codable, Sendable, Equatable {
        public var cutoff: Int
        public var metric: RankingMetricName
        /// The averages of the model and of the one it is compared against.
        public var model: Double
        public var against: Double
        /// model - against, averaged over users.
        public var difference: Double
        /// The central `confidence` interval of the difference over bootstrap resamples.
        public var lower: Double
        public var upper: Double
        /// Users on which each side scored strictly higher.
        public var modelBetter: Int
        public var againstBetter: Int

        /// The difference relative to the compared-against average, when that is not zero.
        public var relative: Double? { against != 0 ? difference / against : nil }
    }

    public var modelName: String
    public var againstName: String
    public var userCount: Int
    public var resamples: Int
    public var confidence: Double
    public var seed: UInt64
    public var rows: [Row]

    /// Compares `model` with `against`, which must cover the same users in the same order at the same cutoffs.
    public init(
        model: PerUserEvaluation, modelName: String, against: PerUserEvaluation, againstName: String,
        resamples: Int = 2000, confidence: Double = 0.95, seed: UInt64 = 1
    ) throws {
        guard model.cutoffs == against.cutoffs else {
            throw ComparisonError.differentCutoffs(model.cutoffs, against.cutoffs)
        }
        guard model.users == against.users else {
            throw ComparisonError.differentUsers(model.users.count, against.users.count)
        }
        let metrics = RankingMetricName.allCases
        // One column per (cutoff, metric): [users] per-user values of each side.
        let columns = model.cutoffs.indices.flatMap { c in metrics.map { (cutoff: model.cutoffs[c], index: c, metric: $0) } }
        try self.init(
            columns: columns.map { column in
                (column.cutoff, column.metric,
                 model.metrics.map { column.metric.value(of: $0[column.index]) }, against.metrics.map { column.metric.value(of: $0[column.index]) })
            },
            modelName: modelName, againstName: againstName, resamples: resamples, confidence: confidence, seed: seed)
    }

    /// Compares one metric known per user on both sides, `model[u]` and `against[u]` for the same user u: another
    /// system's per-user Recall@N beside ours, say.
    public init(
        model: [Double], against: [Double], cutoff: Int, metric: RankingMetricName, modelName: String, againstName: String,
        resamples: Int = 2000, confidence: Double = 0.95, seed: UInt64 = 1
    ) throws {
        guard model.count == against.count else { throw ComparisonError.differentUsers(model.count, against.count) }
        try self.init(columns: [(cutoff, metric, model, against)], modelName: modelName, againstName: againstName,
                      resamples: resamples, confidence: confidence, seed: seed)
    }

    /// The paired bootstrap over users for every column (cutoff, metric, per-user values of each side).
    private init(
        columns: [(cutoff: Int, metric: RankingMetricName, model: [Double], against: [Double])],
        modelName: String, againstName: String, resamples: Int, confidence: Double, seed: UInt64
    ) throws {
        let users = columns.first?.model.count ?? 0
        guard users > 0 else { throw ComparisonError.noUsers }
        guard resamples > 0 else { throw ComparisonError.invalidResamples(resamples) }
        guard confidence > 0, confidence < 1 else { throw ComparisonError.invalidConfidence(confidence) }
        // differences[u][column]
        let differences: [[Double]] = (0..<users).map { u in columns.map { $0.model[u] - $0.against[u] } }

        // One set of resampled users serves every column, so the intervals of all metrics come from the same draws.
        var generator = SeededGenerator(seed: seed)
        var resampledMeans = [[Double]](repeating: [], count: columns.count)
        for column in columns.indices { resampledMeans[column].reserveCapacity(resamples) }
        var sums = [Double](repeating: 0, count: columns.count)
        for _ in 0..<resamples {
            for column in columns.indices { sums[column] = 0 }
            for _ in 0..<users {
                let row = differences[generator.nextInt(below: users)]
                for column in columns.indices { sums[column] += row[column] }
            }
            for column in columns.indices { resampledMeans[column].append(sums[column] / Double(users)) }
        }

        let tail = (1 - confidence) / 2
        rows = columns.enumerated().map { index, column in
            let sorted = resampledMeans[index].sorted()
            let perUser = differences.map { $0[index] }
            return Row(
                cutoff: column.cutoff, metric: column.metric,
                model: Self.mean(column.model), against: Self.mean(column.against),
                difference: perUser.reduce(0, +) / Double(users),
                lower: Self.quantile(sorted, tail), upper: Self.quantile(sorted, 1 - tail),
                modelBetter: perUser.filter { $0 > 0 }.count, againstBetter: perUser.filter { $0 < 0 }.count)
        }
        self.modelName = modelName
        self.againstName = againstName
        self.userCount = users
        self.resamples = resamples
        self.confidence = confidence
        self.seed = seed
    }

    /// The average in user order (as `PerUserEvaluation.summary` sums).
    private static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// The value at fraction `q` of a sorted sample, interpolating between neighbours.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = Int(position.rounded(.up))
        let weight = position - Double(below)
        return sorted[below] * (1 - weight) + sorted[above] * weight
    }

    /// A plain-text table, one line per cutoff and metric.
    public func table() -> String {
        let percent = Int((confidence * 100).rounded())
        let header = pad("N", 5) + pad("metric", 11) + pad(modelName, 13) + pad(againstName, 13) + pad("difference", 12)
            + pad("\(percent)% interval", 22) + pad("relative", 10) + pad("users +/-", 13)
        var lines = [header]
        for row in rows {
            let interval = "[" + signed(row.lower) + ", " + signed(row.upper) + "]"
            let relative = row.relative.map { String(format: "%+.1f%%", $0 * 100) } ?? "-"
            lines.append(
                pad("\(row.cutoff)", 5) + pad(row.metric.title, 11) + pad(String(format: "%.4f", row.model), 13)
                    + pad(String(format: "%.4f", row.against), 13) + pad(signed(row.difference), 12) + pad(interval, 22)
                    + pad(relative, 10) + pad("\(row.modelBetter)/\(row.againstBetter)", 13))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func signed(_ value: Double) -> String { String(format: "%+.4f", value) }

    private func pad(_ text: String, _ width: Int) -> String { rightAligned(text, width) }
}

/// Why two evaluations cannot be compared.
public enum ComparisonError: Error, CustomStringConvertible, Equatable {
    case differentCutoffs([Int], [Int])
    case differentUsers(Int, Int)
    case noUsers
    case invalidResamples(Int)
    case invalidConfidence(Double)

    public var description: String {
        switch self {
        case .differentCutoffs(let a, let b):
            return "the two evaluations have different cutoffs (\(a) and \(b))"
        case .differentUsers(let a, let b):
            return "the two evaluations cover different users (\(a) and \(b) users, or the same count in another order); compare models on the same dataset and split"
        case .noUsers:
            return "there are no evaluated users to compare"
        case .invalidResamples(let count):
            return "the number of bootstrap resamples must be positive, not \(count)"
        case .invalidConfidence(let value):
            return "the confidence level must lie strictly between 0 and 1, not \(value)"
        }
    }
}
