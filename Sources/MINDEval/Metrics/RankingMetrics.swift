import Foundation

/// Recall, hit rate, NDCG and precision at one cutoff N: for one user, or averaged over users.
///
/// Binary relevance, the truth taken as a set: Recall@N = hits / |truth|; HR@N = 1 if any hit;
/// NDCG@N = DCG / ideal DCG, the ideal over min(|truth|, N) hits at the top; Precision@N = hits / N.
public struct RankingMetrics: Codable, Sendable, Equatable {
    public var recall: Double
    public var hitRate: Double
    public var ndcg: Double
    public var precision: Double

    public init(recall: Double, hitRate: Double, ndcg: Double, precision: Double) {
        self.recall = recall
        self.hitRate = hitRate
        self.ndcg = ndcg
        self.precision = precision
    }

    /// All four metrics zero: the start of a sum.
    public static let zero = RankingMetrics(recall: 0, hitRate: 0, ndcg: 0, precision: 0)

    /// One user's metrics at each of `cutoffs`, in the order given, from a ranked list (best first).
    ///
    /// Items repeated in `ranked` count once, at their first position. `truth` must not be empty.
    public static func evaluate(ranked: some Sequence<Int32>, truth: Set<Int32>, cutoffs: [Int]) -> [RankingMetrics] {
        precondition(!truth.isEmpty, "Ranking metrics need at least one truth item.")
        precondition(cutoffs.allSatisfy { $0 > 0 }, "Every cutoff must be positive.")
        let maxCutoff = cutoffs.max() ?? 0
        // hitsAt[r] and dcgAt[r]: over the first r ranks.
        var hitsAt = [Int](repeating: 0, count: maxCutoff + 1)
        var dcgAt = [Double](repeating: 0, count: maxCutoff + 1)
        var found = Set<Int32>()
        var rank = 0
        for item in ranked {
            if rank == maxCutoff { break }
            var hits = hitsAt[rank]
            var dcg = dcgAt[rank]
            if truth.contains(item) && found.insert(item).inserted {
                hits += 1
                dcg += discount(rank)
            }
            rank += 1
            hitsAt[rank] = hits
            dcgAt[rank] = dcg
        }
        // A short list keeps its totals for every larger cutoff.
        while rank < maxCutoff {
            hitsAt[rank + 1] = hitsAt[rank]
            dcgAt[rank + 1] = dcgAt[rank]
            rank += 1
        }
        return cutoffs.map { cutoff in
            let hits = Double(hitsAt[cutoff])
            return RankingMetrics(
                recall: hits / Double(truth.count),
                hitRate: hits > 0 ? 1 : 0,
                ndcg: dcgAt[cutoff] / idealDCG(relevant: min(truth.count, cutoff)),
                precision: hits / Double(cutoff))
        }
    }

    /// One user's metrics at one cutoff.
    public static func evaluate(ranked: some Sequence<Int32>, truth: Set<Int32>, cutoff: Int) -> RankingMetrics {
        evaluate(ranked: ranked, truth: truth, cutoffs: [cutoff])[0]
    }

    /// The gain of a hit at 0-based `rank`: 1 / log2(rank + 2).
    @inline(__always)
    static func discount(_ rank: Int) -> Double {
        1 / log2(Double(rank + 2))
    }

    /// DCG of `relevant` hits in the first ranks.
    static func idealDCG(relevant: Int) -> Double {
        (0..<relevant).reduce(0) { $0 + discount($1) }
    }

    static func + (lhs: RankingMetrics, rhs: RankingMetrics) -> RankingMetrics {
        RankingMetrics(
            recall: lhs.recall + rhs.recall, hitRate: lhs.hitRate + rhs.hitRate,
            ndcg: lhs.ndcg + rhs.ndcg, precision: lhs.precision + rhs.precision)
    }

    static func / (lhs: RankingMetrics, rhs: Double) -> RankingMetrics {
        RankingMetrics(
            recall: lhs.recall / rhs, hitRate: lhs.hitRate / rhs, ndcg: lhs.ndcg / rhs, precision: lhs.precision / rhs)
    }
}
