extension TopKSelector {
    /// The best `n` of the union of `lists`, each sorted best first by `ScoredItem.ranksBefore` and holding items
    /// no other list holds (workers that scored disjoint item ranges): a k-way merge, best first.
    static func mergeDisjoint(_ lists: [[ScoredItem]], n: Int) -> [ScoredItem] {
        if lists.count == 1 { return Array(lists[0].prefix(n)) }
        let total = min(n, lists.reduce(0) { $0 + $1.count })
        var merged = [ScoredItem]()
        merged.reserveCapacity(total)
        var positions = [Int](repeating: 0, count: lists.count)
        while merged.count < total {
            var best = -1
            for list in lists.indices where positions[list] < lists[list].count {
                if best < 0 || ScoredItem.ranksBefore(lists[list][positions[list]], lists[best][positions[best]]) { best = list }
            }
            merged.append(lists[best][positions[best]])
            positions[best] += 1
        }
        return merged
    }
}
