/// ComiRec's controllable aggregation (Cen et al., KDD 2020): instead of the top n by score, a greedy
/// selection from every interest's top n that trades score for category diversity with one factor.
///
/// The next item is the candidate with the largest f(i) + factor * sum over the items already chosen of
/// g(i, j), where f is the item's best score over the user's interests and g(i, j) = 1 - Jaccard similarity
/// of the two items' categories (1 for different single categories, as in the paper; 0 when both have none).
/// factor 0 gives the plain merge.
public struct DiverseAggregation: Sendable {
    /// Weight of diversity against score.
    public let factor: Float
    /// Category ids of each item (sorted, unique).
    public let categories: [[Int32]]

    public init(factor: Float, categories: [[Int32]]) {
        precondition(factor >= 0 && factor.isFinite, "The diversity factor must be a finite number >= 0.")
        self.factor = factor
        self.categories = categories.map { Array(Set($0)).sorted() }
    }

    /// g(i, j): 1 - |C_i ∩ C_j| / |C_i ∪ C_j|, 0 when neither item has a category.
    func distance(_ a: Int32, _ b: Int32) -> Float {
        let first = categories[Int(a)], second = categories[Int(b)]
        let shared = first.filter { second.contains($0) }.count
        let union = first.count + second.count - shared
        return union == 0 ? 0 : 1 - Float(shared) / Float(union)
    }

    /// The greedy top `n` of `lists` (one per interest, each history-free), best-scoring interest kept per item.
    public func select(_ lists: [[ScoredItem]], n: Int) -> [ScoredItem] {
        var pool = MultiInterestMerge.merge(lists, n: Int.max)
        guard factor > 0 else { return Array(pool.prefix(n)) }
        var gains = pool.map(\.score)  // f(i) + factor * sum of g(i, chosen)
        var chosen: [ScoredItem] = []
        while chosen.count < n, !pool.isEmpty {
            // Ties go to the earlier (better-ranked) candidate, so factor 0 and equal gains keep the plain order.
            var best = 0
            for candidate in pool.indices.dropFirst() where gains[candidate] > gains[best] { best = candidate }
            let picked = pool.remove(at: best)
            gains.remove(at: best)
            chosen.append(picked)
            for candidate in pool.indices { gains[candidate] += factor * distance(pool[candidate].item, picked.item) }
        }
        return chosen
    }
}

extension VectorIndex {
    /// Multi-interest retrieval with `aggregation` in place of the plain merge: each active interest's top `n`,
    /// then the greedy selection.
    public func recommend(interests: InterestBatch, n: Int, exclude: [[Int32]], aggregation: DiverseAggregation) -> [[ScoredItem]] {
        perInterest(interests: interests, n: n, exclude: exclude).map { aggregation.select($0, n: n) }
    }
}
