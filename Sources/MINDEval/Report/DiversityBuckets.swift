import MINDData
import MINDRetrieval

/// "Is a multi-interest model worth it on my data?": users bucketed by how diverse their histories are, and in
/// each bucket every model's Recall@N with the first model's paired difference to each other model.
public struct DiversityBuckets: Sendable, Equatable {
    /// How a history's diversity is measured.
    public enum Measure: String, Sendable, Equatable {
        /// Shannon entropy (bits) of the history's item categories.
        case categoryEntropy = "category entropy (bits)"
        /// 1 - |mean of the history's unit item vectors|: 0 when all point one way.
        case itemVectorSpread = "item-vector spread"
    }

    /// One bucket of users.
    public struct Bucket: Sendable, Equatable {
        /// The range of the measure in this bucket.
        public var lower: Double
        public var upper: Double
        public var users: Int
        /// Recall@cutoff of each model, in `models` order.
        public var recall: [Double]
        /// models[0] against each other model, on this bucket's users.
        public var comparisons: [PairedComparison]
    }

    public var measure: Measure
    public var cutoff: Int
    /// Model names; the first is the one compared with the others.
    public var models: [String]
    public var buckets: [Bucket]

    /// Each history's diversity: category entropy where `labels` has categories, else the spread of `items`.
    /// Users whose history has no categorised item get the lowest diversity (0).
    public static func diversity(of histories: [[Int32]], labels: ItemLabels, items: ItemMatrix) -> (Measure, [Double]) {
        if labels.category != nil {
            return (.categoryEntropy, histories.map { labels.categoryEntropy(of: $0) ?? 0 })
        }
        let d = items.dimension
        return (.itemVectorSpread, histories.map { history in
            guard !history.isEmpty else { return 0 }
            var mean = [Double](repeating: 0, count: d)
            for item in history {
                let vector = items.vector(Int(item))
                let norm = vector.reduce(0) { $0 + Double($1 * $1) }.squareRoot()
                guard norm > 0 else { continue }
                for (x, value) in vector.enumerated() { mean[x] += Double(value) / norm / Double(history.count) }
            }
            return 1 - mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
        })
    }

    /// Cuts the evaluated users into `bucketCount` groups of (nearly) equal size by `diversity` (keyed by user),
    /// and compares `evaluations[0]` with each other evaluation inside each group at `cutoff`.
    public init(
        measure: Measure, diversity: [Int32: Double], evaluations: [(name: String, users: PerUserEvaluation)],
        cutoff: Int, bucketCount: Int, resamples: Int = 1000
    ) throws {
        precondition(!evaluations.isEmpty && bucketCount > 0, "Give at least one evaluation and one bucket.")
        guard let column = evaluations[0].users.cutoffs.firstIndex(of: cutoff) else {
            throw ComparisonError.differentCutoffs([cutoff], evaluations[0].users.cutoffs)
        }
        let users = evaluations[0].users.users
        // Ties keep case order, so equal-diversity users fall into buckets deterministically.
        let order = users.indices.sorted { (diversity[users[$0]] ?? 0, $0) < (diversity[users[$1]] ?? 0, $1) }
        let count = min(bucketCount, max(order.count, 1))
        var buckets: [Bucket] = []
        for bucket in 0..<count {
            let positions = Array(order[(bucket * order.count / count)..<((bucket + 1) * order.count / count)]).sorted()
            guard !positions.isEmpty else { continue }
            let subsets = evaluations.map { ($0.name, $0.users.selecting(positions)) }
            let values = positions.map { diversity[users[$0]] ?? 0 }
            buckets.append(Bucket(
                lower: values.min() ?? 0, upper: values.max() ?? 0, users: positions.count,
                recall: subsets.map { $0.1.summary.rows[column].recall },
                comparisons: try subsets.dropFirst().map {
                    try PairedComparison(model: subsets[0].1, modelName: subsets[0].0, against: $0.1, againstName: $0.0, resamples: resamples)
                }))
        }
        self.measure = measure
        self.cutoff = cutoff
        self.models = evaluations.map(\.name)
        self.buckets = buckets
    }
}

extension PerUserEvaluation {
    /// The users at `positions` (indices into `users`), in the order given.
    public func selecting(_ positions: [Int]) -> PerUserEvaluation {
        PerUserEvaluation(cutoffs: cutoffs, users: positions.map { users[$0] }, metrics: positions.map { metrics[$0] }, skippedCount: 0)
    }
}
