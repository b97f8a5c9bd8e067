/// Top-n retrieval by inner product over a fixed item catalogue: the contract the exact index, HNSW and pgvector share.
public protocol VectorIndex: Sendable {
    /// Number of items in the catalogue.
    var count: Int { get }
    /// Length of the item and query vectors.
    var dimension: Int { get }

    /// The top `n` items by e_i . q for each of `queryCount` queries, best first (equal scores: lower item first).
    ///
    /// - Parameters:
    ///   - queries: row-major query vectors. // [queryCount, dimension]
    ///   - exclude: either empty (nothing excluded) or one list of item indices per query that must not be returned;
    ///     indices outside the catalogue are ignored.
    /// - Returns: per query `min(n, count - excluded)` items; `interest` is 0.
    func search(queries: [Float], queryCount: Int, n: Int, exclude: [[Int32]]) -> [[ScoredItem]]

    /// Multi-interest retrieval: per user the top `n` items by f(u, i) = max over unmasked k of e_i . u_k.
    ///
    /// Equivalent to the top `n` per interest, merged by max score, de-duplicated, history excluded.
    /// - Parameter exclude: empty, or one list per user (typically the history).
    /// - Returns: per user `min(n, count - excluded)` distinct items, best first, each with the interest giving its max.
    func recommend(interests: InterestBatch, n: Int, exclude: [[Int32]]) -> [[ScoredItem]]
}

extension VectorIndex {
    /// The top `n` items for one query vector.
    public func search(query: [Float], n: Int, exclude: [Int32] = []) -> [ScoredItem] {
        precondition(query.count == dimension, "The query has \(query.count) values but the index has dimension \(dimension).")
        return search(queries: query, queryCount: 1, n: n, exclude: [exclude])[0]
    }

    /// Default multi-interest retrieval for any index: one search per unmasked interest, then `MultiInterestMerge`.
    public func recommend(interests: InterestBatch, n: Int, exclude: [[Int32]]) -> [[ScoredItem]] {
        perInterest(interests: interests, n: n, exclude: exclude).map { MultiInterestMerge.merge($0, n: n) }
    }

    /// Each user's top `n` for each unmasked interest (tagged with the interest), before any merge.
    public func perInterest(interests: InterestBatch, n: Int, exclude: [[Int32]]) -> [[[ScoredItem]]] {
        precondition(interests.dimension == dimension, "Interests have dimension \(interests.dimension) but the index has \(dimension).")
        precondition(exclude.isEmpty || exclude.count == interests.count, "Give one exclusion list per user, or none.")
        let width = interests.interestCount
        var queries = [Float]()
        var owners = [(user: Int, interest: Int)]()
        var queryExclusions = [[Int32]]()
        for user in 0..<interests.count {
            for interest in 0..<width where interests.isActive(user: user, interest: interest) {
                let start = (user * width + interest) * dimension
                queries.append(contentsOf: interests.vectors[start..<(start + dimension)])
                owners.append((user, interest))
                if !exclude.isEmpty { queryExclusions.append(exclude[user]) }
            }
        }
        let hits = search(queries: queries, queryCount: owners.count, n: n, exclude: queryExclusions)
        var perUser = [[[ScoredItem]]](repeating: [], count: interests.count)
        for (query, owner) in owners.enumerated() {
            perUser[owner.user].append(hits[query].map { ScoredItem(item: $0.item, score: $0.score, interest: owner.interest) })
        }
        return perUser
    }
}
