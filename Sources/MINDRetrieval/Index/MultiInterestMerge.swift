/// Merges per-interest result lists into one: max score per item, de-duplicated, best first, cut to n.
public enum MultiInterestMerge {
    /// Merges `lists` (one per interest, each already history-free) keeping each item's best score.
    ///
    /// When an item scores the same under two interests, the lower interest index is kept, so the merge is
    /// deterministic and agrees with the fused max computed by `ExactIndex`.
    public static func merge(_ lists: [[ScoredItem]], n: Int) -> [ScoredItem] {
        guard n > 0 else { return [] }
        var best = [Int32: ScoredItem]()
        best.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        for list in lists {
            for candidate in list {
                if let kept = best[candidate.item] {
                    if candidate.score > kept.score || (candidate.score == kept.score && candidate.interest < kept.interest) {
                        best[candidate.item] = candidate
                    }
                } else {
                    best[candidate.item] = candidate
                }
            }
        }
        var merged = Array(best.values)
        merged.sort(by: ScoredItem.ranksBefore)
        if merged.count > n { merged.removeLast(merged.count - n) }
        return merged
    }
}
