import MINDData
import MINDRetrieval
import MINDServing

/// What the beyond-accuracy metrics need to know about the catalogue: training popularity, which items are
/// long-tail, and each item's categories.
public struct CatalogueFacts: Sendable {
    /// Training interactions per item.
    public var popularity: [Int]
    /// Items outside the head: the most popular `headShare` of the catalogue (ties broken by index) is the head.
    public var isTail: [Bool]
    /// Category ids of each item (nil without a category feature).
    public var categories: [[Int32]]?
    /// Distinct categories in the catalogue.
    public var categoryCount: Int

    /// Facts from popularity counts and optional per-item category ids.
    public init(popularity: [Int], categories: [[Int32]]?, headShare: Double = 0.2) {
        precondition((0...1).contains(headShare), "The head is a share of the catalogue, between 0 and 1.")
        self.popularity = popularity
        let order = popularity.indices.sorted { (popularity[$0], -$0) > (popularity[$1], -$1) }
        let headCount = Int((Double(popularity.count) * headShare).rounded())
        var isTail = [Bool](repeating: true, count: popularity.count)
        for item in order.prefix(headCount) { isTail[item] = false }
        self.isTail = isTail
        self.categories = categories
        categoryCount = Set((categories ?? []).joined()).count
    }

    /// Facts of `dataset`: training popularity and the categories of `labels` (see `ItemLabels`).
    public init(dataset: Dataset, labels: ItemLabels) {
        let categories = labels.category.map { feature in
            (0..<dataset.itemCount).map { item in
                Array(feature.values(of: item)).filter { feature.vocabulary[Int($0)] != CategoricalFeature.unknown }
            }
        }
        self.init(popularity: dataset.itemTrainingCounts(), categories: categories)
    }
}

/// What ranking metrics do not show: how much of the catalogue a model uses, how concentrated and how popular
/// its recommendations are, how varied each list is, and whether the hits come from more than one interest.
public struct BeyondAccuracyMetrics: Codable, Sendable, Equatable {
    public var cutoff: Int
    /// Distinct items in any top-N list, over the catalogue size.
    public var coverage: Double
    /// Gini index of how often each catalogue item is recommended: 0 all equally, 1 one item only.
    public var gini: Double
    /// Share of recommended slots holding long-tail items (outside the most popular 20% of the catalogue).
    public var tailShare: Double
    /// Mean training interactions of the recommended items.
    public var meanPopularity: Double
    /// Per list, the mean over item pairs of 1 - Jaccard similarity of their categories; averaged over lists.
    public var intraListDiversity: Double?
    /// Per list, the share of all categories it touches; averaged over lists.
    public var categoryCoverage: Double?
    /// Of the hits, the share retrieved by an interest other than the list's main one (the interest that
    /// retrieved most of the list); nil for one-vector models or when nothing was hit.
    public var otherInterestHitShare: Double?

    /// Measures the top `cutoff` of each list (best first; `truths` in the same order) against `facts`.
    public static func measure(lists: [[ScoredItem]], truths: [[Int32]], cutoff: Int, facts: CatalogueFacts) -> BeyondAccuracyMetrics {
        precondition(lists.count == truths.count, "Give one truth per list.")
        let catalogue = facts.popularity.count
        var timesRecommended = [Int](repeating: 0, count: catalogue)
        var slots = 0, tailSlots = 0, popularitySum = 0.0
        var diversity = Mean(), categoryCoverage = Mean()
        var hits = 0, otherInterestHits = 0, multiInterest = false
        for (fullList, truth) in zip(lists, truths) {
            let list = fullList.prefix(cutoff)
            for entry in list {
                let item = Int(entry.item)
                timesRecommended[item] += 1
                slots += 1
                if facts.isTail[item] { tailSlots += 1 }
                popularitySum += Double(facts.popularity[item])
            }
            if let categories = facts.categories {
                let sets = list.map { Set(categories[Int($0.item)]) }
                if let value = meanPairwiseDistance(sets) { diversity.add(value) }
                if facts.categoryCount > 0, !list.isEmpty {
                    categoryCoverage.add(Double(sets.reduce(into: Set<Int32>()) { $0.formUnion($1) }.count) / Double(facts.categoryCount))
                }
            }
            if list.contains(where: { $0.interest > 0 }) { multiInterest = true }
            let main = mainInterest(of: list)
            let truthSet = Set(truth)
            for entry in list where truthSet.contains(entry.item) {
                hits += 1
                if entry.interest != main { otherInterestHits += 1 }
            }
        }
        return BeyondAccuracyMetrics(
            cutoff: cutoff,
            coverage: catalogue > 0 ? Double(timesRecommended.filter { $0 > 0 }.count) / Double(catalogue) : 0,
            gini: gini(timesRecommended),
            tailShare: slots > 0 ? Double(tailSlots) / Double(slots) : 0,
            meanPopularity: slots > 0 ? popularitySum / Double(slots) : 0,
            intraListDiversity: diversity.value, categoryCoverage: categoryCoverage.value,
            otherInterestHitShare: multiInterest && hits > 0 ? Double(otherInterestHits) / Double(hits) : nil)
    }

    /// The interest that retrieved most of `list` (the lowest on a tie).
    static func mainInterest(of list: ArraySlice<ScoredItem>) -> Int {
        var counts: [Int: Int] = [:]
        for entry in list { counts[entry.interest, default: 0] += 1 }
        return counts.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key ?? 0
    }

    /// Gini index of non-negative counts: sum over sorted counts of (2i - n - 1) c_i / (n sum c), i from 1.
    static func gini(_ counts: [Int]) -> Double {
        let total = counts.reduce(0, +)
        guard total > 0, counts.count > 1 else { return 0 }
        let n = Double(counts.count)
        let weighted = counts.sorted().enumerated().reduce(0.0) { sum, entry in
            sum + (2 * Double(entry.offset + 1) - n - 1) * Double(entry.element)
        }
        return weighted / (n * Double(total))
    }

    /// Mean over pairs of 1 - |a ∩ b| / |a ∪ b|; pairs of two uncategorised items are left out. nil without a pair.
    static func meanPairwiseDistance(_ sets: [Set<Int32>]) -> Double? {
        var mean = Mean()
        for a in sets.indices {
            for b in sets.indices where b > a {
                let union = sets[a].union(sets[b]).count
                guard union > 0 else { continue }
                mean.add(1 - Double(sets[a].intersection(sets[b]).count) / Double(union))
            }
        }
        return mean.value
    }
}
