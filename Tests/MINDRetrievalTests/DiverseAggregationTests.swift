import Testing
@testable import MINDRetrieval

/// ComiRec's controllable aggregation on hand-made lists.
@Suite("Diverse aggregation")
struct DiverseAggregationTests {
    // Items 0-3 in category 0, item 4 in category 1, item 5 in categories 0 and 1, item 6 without one.
    static let categories: [[Int32]] = [[0], [0], [0], [0], [1], [0, 1], []]
    static let lists: [[ScoredItem]] = [
        [ScoredItem(item: 0, score: 10, interest: 0), ScoredItem(item: 1, score: 9, interest: 0), ScoredItem(item: 2, score: 8, interest: 0)],
        [ScoredItem(item: 4, score: 7, interest: 1), ScoredItem(item: 1, score: 9.5, interest: 1), ScoredItem(item: 5, score: 6, interest: 1)],
    ]

    @Test func factorZeroIsThePlainMerge() {
        let plain = DiverseAggregation(factor: 0, categories: Self.categories).select(Self.lists, n: 3)
        #expect(plain == MultiInterestMerge.merge(Self.lists, n: 3))
        #expect(plain.map(\.item) == [0, 1, 2])
        #expect(plain[1].interest == 1, "item 1 keeps its best-scoring interest")
    }

    @Test func aLargeFactorPullsInOtherCategories() {
        // Gains after item 0: item 1 9.5 + 0, item 2 8 + 0, item 4 7 + 3 * 1 = 10, item 5 6 + 3 * 0.5 = 7.5.
        let diverse = DiverseAggregation(factor: 3, categories: Self.categories).select(Self.lists, n: 3)
        #expect(diverse.map(\.item) == [0, 4, 1])
        // Factor 1: item 1 first (9.5 > 7 + 1); then item 4 gains 7 + 1 * (1 + 1) = 9 > item 2's 8.
        #expect(DiverseAggregation(factor: 1, categories: Self.categories).select(Self.lists, n: 3).map(\.item) == [0, 1, 4])
        // Factor 0.4: item 4 reaches 7 + 0.8 = 7.8 < 8, so the plain order stands.
        #expect(DiverseAggregation(factor: 0.4, categories: Self.categories).select(Self.lists, n: 3).map(\.item) == [0, 1, 2])
    }

    @Test func distanceIsOneMinusJaccard() {
        let aggregation = DiverseAggregation(factor: 1, categories: Self.categories)
        #expect(aggregation.distance(0, 1) == 0)
        #expect(aggregation.distance(0, 4) == 1)
        #expect(aggregation.distance(0, 5) == 0.5)
        #expect(aggregation.distance(6, 6) == 0)
        #expect(aggregation.distance(6, 0) == 1)
    }

    @Test func shortPoolsAndEmptyLists() {
        let aggregation = DiverseAggregation(factor: 2, categories: Self.categories)
        #expect(aggregation.select(Self.lists, n: 10).count == 5, "every distinct candidate once")
        #expect(aggregation.select([], n: 3).isEmpty)
        #expect(aggregation.select(Self.lists, n: 0).isEmpty)
    }
}
