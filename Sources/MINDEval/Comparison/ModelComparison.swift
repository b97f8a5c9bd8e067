import Foundation
import MINDModels

/// Several models evaluated on the same users, each paired against the best: what `mind compare` prints.
public struct ModelComparison: Encodable, Sendable {
    /// One model's training and evaluation.
    public struct Entry: Encodable, Sendable {
        /// How the model was asked for: a model name, optionally with settings (`mind+sampler=full`).
        public var name: String
        /// The trained model's settings (nil for the MostPopular baseline).
        public var config: ModelConfig?
        /// Epochs run, the 1-based epoch whose weights were kept, and training time.
        public var epochs: Int
        public var bestEpoch: Int?
        public var trainingSeconds: Double
        /// Training samples per second, over all epochs' training time (validation excluded).
        public var samplesPerSecond: Double?
        public var result: EvaluationResult
        /// This model - the best, paired over users (nil for the best itself).
        public var againstBest: PairedComparison?
        /// Kept for the pairing; not part of the JSON.
        var users: PerUserEvaluation

        public init(name: String, config: ModelConfig?, epochs: [EpochRecord], bestEpoch: Int?, users: PerUserEvaluation) {
            self.name = name
            self.config = config
            self.epochs = epochs.count
            self.bestEpoch = bestEpoch
            trainingSeconds = epochs.reduce(0) { $0 + $1.seconds }
            let samples = epochs.reduce(0.0) { $0 + $1.samplesPerSecond * $1.seconds }
            samplesPerSecond = trainingSeconds > 0 ? samples / trainingSeconds : nil
            result = users.summary
            self.users = users
        }

        enum CodingKeys: String, CodingKey {
            case name, config, epochs, bestEpoch, trainingSeconds, samplesPerSecond, result, againstBest
        }
    }

    /// The cut-off and metric the best model is chosen by (Recall at the cut-off nearest 50).
    public var rankingCutoff: Int
    /// The name of the model with the highest Recall at `rankingCutoff`.
    public var best: String
    public var entries: [Entry]

    /// Pairs every entry against the one with the highest Recall at the cut-off nearest 50; all entries must
    /// cover the same users at the same cut-offs.
    public init(entries: [Entry], resamples: Int = 2000) throws {
        guard let first = entries.first else { throw ComparisonError.noUsers }
        let cutoffs = first.users.cutoffs
        let column = cutoffs.indices.min { abs(cutoffs[$0] - 50) < abs(cutoffs[$1] - 50) }!
        let recall = { (entry: Entry) in entry.result.rows[column].metrics.recall }
        let bestIndex = entries.indices.max { recall(entries[$0]) < recall(entries[$1]) }!
        var paired = entries
        for index in paired.indices where index != bestIndex {
            paired[index].againstBest = try PairedComparison(
                model: entries[index].users, modelName: entries[index].name, against: entries[bestIndex].users,
                againstName: entries[bestIndex].name, resamples: resamples)
        }
        rankingCutoff = cutoffs[column]
        best = entries[bestIndex].name
        self.entries = paired
    }

    /// One line per model: every metric at every cut-off, the Recall difference from the best with its paired
    /// interval, training throughput and epochs.
    public func table() -> String {
        let cutoffs = entries[0].result.rows.map(\.cutoff)
        // Wide enough for the longest name (variants such as gru4rec+dropout=0.3+max-history-length=50), so columns align.
        let nameWidth = max(28, (entries.map(\.name.count).max() ?? 0) + 1)
        var header = pad("model", nameWidth, left: true)
        for cutoff in cutoffs {
            header += pad("R@\(cutoff)", 9) + pad("HR@\(cutoff)", 9) + pad("NDCG@\(cutoff)", 9) + pad("P@\(cutoff)", 9)
        }
        header += pad("R@\(rankingCutoff) - best [95%]", 33) + pad("samples/s", 11) + pad("epochs", 8)
        var lines = [header]
        for entry in entries {
            var line = pad(entry.name, nameWidth, left: true)
            for row in entry.result.rows {
                let m = row.metrics
                line += [m.recall, m.hitRate, m.ndcg, m.precision].map { pad(String(format: "%.4f", $0), 9) }.joined()
            }
            if let comparison = entry.againstBest, let row = comparison.rows.first(where: { $0.cutoff == rankingCutoff && $0.metric == .recall }) {
                line += pad(String(format: "%+.4f [%+.4f, %+.4f]", row.difference, row.lower, row.upper), 33)
            } else {
                line += pad("best", 33)
            }
            line += pad(entry.samplesPerSecond.map { String(format: "%.0f", $0) } ?? "-", 11)
            line += pad(entry.config == nil ? "-" : "\(entry.bestEpoch.map { "\($0)/" } ?? "")\(entry.epochs)", 8)
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + padding : padding + text
    }
}
