import MINDData
import MINDRetrieval

/// The most-popular baseline: every user gets the catalogue's most frequent training items not in their history.
public struct MostPopular: Sendable {
    /// Item indices by training count, most popular first; equal counts by lower index.
    public let ranking: [Int32]
    /// The training count of each item.
    public let counts: [Int]

    /// A baseline ranking the items `0..<counts.count` by `counts` (e.g. training interactions per item).
    public init(counts: [Int]) {
        precondition(counts.count <= Int(Int32.max), "Item indices must fit in Int32.")
        self.counts = counts
        ranking = counts.indices
            .sorted { counts[$0] > counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }
            .map { Int32($0) }
    }

    /// The top `n` items not in `history`, best first, scored by their counts.
    public func recommend(history: [Int32], n: Int) -> [ScoredItem] {
        topItems(excluding: history, n: n).map { ScoredItem(item: $0, score: Float(counts[Int($0)]), interest: 0) }
    }

    /// The top `n` item indices for each case, its history excluded: a retriever for `Evaluator.evaluate`.
    public func retrieve(_ cases: ArraySlice<EvaluationCase>, n: Int) -> [[Int32]] {
        cases.map { topItems(excluding: $0.history, n: n) }
    }

    private func topItems(excluding history: [Int32], n: Int) -> [Int32] {
        guard n > 0 else { return [] }
        let excluded = Set(history)
        var result = [Int32]()
        result.reserveCapacity(min(n, ranking.count))
        for item in ranking where !excluded.contains(item) {
            result.append(item)
            if result.count == n { break }
        }
        return result
    }
}
