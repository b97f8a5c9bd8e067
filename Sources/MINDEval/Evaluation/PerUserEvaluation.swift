import MINDData

/// Every evaluated user's metrics at each cutoff, in case order: what a paired comparison of two models needs.
public struct PerUserEvaluation: Sendable, Equatable {
    /// The cutoffs N, in the order of each user's metrics.
    public var cutoffs: [Int]
    /// The evaluated users (those with a non-empty truth), in case order.
    public var users: [Int32]
    /// `metrics[u][c]`: user `users[u]` at cutoff `cutoffs[c]`.
    public var metrics: [[RankingMetrics]]
    /// Cases left out because their truth was empty.
    public var skippedCount: Int

    public init(cutoffs: [Int], users: [Int32], metrics: [[RankingMetrics]], skippedCount: Int) {
        precondition(users.count == metrics.count, "one metrics row per user")
        self.cutoffs = cutoffs
        self.users = users
        self.metrics = metrics
        self.skippedCount = skippedCount
    }

    /// The averages over users, summed in case order (so they match a chunked evaluation exactly).
    public var summary: EvaluationResult {
        var sums = [RankingMetrics](repeating: .zero, count: cutoffs.count)
        for row in metrics {
            for position in sums.indices { sums[position] = sums[position] + row[position] }
        }
        let count = users.count
        let rows = zip(cutoffs, sums).map { cutoff, sum in
            EvaluationResult.Row(cutoff: cutoff, metrics: count > 0 ? sum / Double(count) : .zero, userCount: count)
        }
        return EvaluationResult(rows: rows, userCount: count, skippedCount: skippedCount)
    }
}
