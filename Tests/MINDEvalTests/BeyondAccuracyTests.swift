import Testing
import MINDRetrieval
@testable import MINDEval

/// Beyond-accuracy metrics on hand-made lists whose values can be worked out on paper.
@Suite("Beyond-accuracy metrics")
struct BeyondAccuracyTests {
    /// Five items with popularity 50, 40, 30, 20, 10: the head (20% of 5 = 1 item) is item 0.
    /// Categories: 0 {a}, 1 {a}, 2 {b}, 3 {a, b}, 4 {} (uncategorised).
    static let facts = CatalogueFacts(popularity: [50, 40, 30, 20, 10], categories: [[0], [0], [1], [0, 1], []])

    static func list(_ items: [Int32], interests: [Int]? = nil) -> [ScoredItem] {
        items.enumerated().map { ScoredItem(item: $1, score: Float(10 - $0), interest: interests?[$0] ?? 0) }
    }

    @Test func catalogueFactsSplitHeadAndTail() {
        #expect(Self.facts.isTail == [false, true, true, true, true])
        #expect(Self.facts.categoryCount == 2)
        // Ties go to the lower index.
        #expect(CatalogueFacts(popularity: [5, 5, 5, 5, 5], categories: nil).isTail == [false, true, true, true, true])
    }

    @Test func coverageConcentrationAndPopularity() {
        // Two lists of two: items 0, 1 and 0, 2. Item 0 twice, 1 and 2 once, 3 and 4 never.
        let metrics = BeyondAccuracyMetrics.measure(
            lists: [Self.list([0, 1]), Self.list([0, 2])], truths: [[1], [4]], cutoff: 2, facts: Self.facts)
        #expect(metrics.coverage == 3.0 / 5)
        // Sorted counts 0, 0, 1, 1, 2: sum (2i - 6) c_i = 0*(-4) + 0*(-2) + 1*0 + 1*2 + 2*4 = 10; / (5 * 4) = 0.5.
        #expect(abs(metrics.gini - 0.5) < 1e-12)
        #expect(metrics.tailShare == 0.5)
        #expect(metrics.meanPopularity == 42.5, "(50 + 40 + 50 + 30) / 4")
        // List 1: {a} vs {a} -> 0; list 2: {a} vs {b} -> 1. Mean 0.5. Coverage: 1 of 2 categories, then 2 of 2.
        #expect(metrics.intraListDiversity == 0.5)
        #expect(metrics.categoryCoverage == 0.75)
        #expect(metrics.otherInterestHitShare == nil, "one-vector lists have no other interest")
    }

    @Test func cutoffTruncatesAndGiniIsZeroWhenEqual() {
        let metrics = BeyondAccuracyMetrics.measure(
            lists: [Self.list([0, 1, 2, 3, 4])], truths: [[0]], cutoff: 5, facts: Self.facts)
        #expect(metrics.coverage == 1)
        #expect(metrics.gini == 0)
        let top = BeyondAccuracyMetrics.measure(lists: [Self.list([0, 1, 2, 3, 4])], truths: [[0]], cutoff: 1, facts: Self.facts)
        #expect(top.coverage == 0.2)
        #expect(top.intraListDiversity == nil, "one item has no pair")
        // Pairs with uncategorised item 4 count only against categorised items: {a,b} vs {} has union 2, distance 1.
        #expect(BeyondAccuracyMetrics.meanPairwiseDistance([[], []]) == nil)
        #expect(BeyondAccuracyMetrics.meanPairwiseDistance([[0, 1], []]) == 1)
        #expect(BeyondAccuracyMetrics.meanPairwiseDistance([[0, 1], [0]]) == 0.5)
    }

    @Test func hitsFromAnotherInterestAreCounted() {
        // Main interest of list 1 is 1 (three items of four); its hits: item 2 (interest 1) and item 3 (interest 2).
        // List 2: interests 0 and 1 tie, so 0 is main; its hit item 1 comes from interest 1.
        let metrics = BeyondAccuracyMetrics.measure(
            lists: [Self.list([0, 1, 2, 3], interests: [1, 1, 1, 2]), Self.list([0, 1], interests: [0, 1])],
            truths: [[2, 3], [1]], cutoff: 4, facts: Self.facts)
        #expect(metrics.otherInterestHitShare == 2.0 / 3)
        let noHits = BeyondAccuracyMetrics.measure(
            lists: [Self.list([0, 1], interests: [0, 1])], truths: [[4]], cutoff: 2, facts: Self.facts)
        #expect(noHits.otherInterestHitShare == nil)
    }

    @Test func emptyListsGiveZerosNotNaN() {
        let metrics = BeyondAccuracyMetrics.measure(lists: [[]], truths: [[1]], cutoff: 10, facts: Self.facts)
        #expect(metrics.coverage == 0 && metrics.gini == 0 && metrics.tailShare == 0 && metrics.meanPopularity == 0)
        #expect(metrics.intraListDiversity == nil && metrics.categoryCoverage == nil)
        let none = CatalogueFacts(popularity: [1, 2], categories: nil)
        let plain = BeyondAccuracyMetrics.measure(lists: [Self.list([1, 0])], truths: [[0]], cutoff: 2, facts: none)
        #expect(plain.intraListDiversity == nil && plain.categoryCoverage == nil)
    }
}
