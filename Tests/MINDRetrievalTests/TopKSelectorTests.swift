import MINDCore
import Testing
@testable import MINDRetrieval

@Test func selectorKeepsTheBestInRankingOrder() {
    var random = SeededGenerator(seed: 7)
    for capacity in [0, 1, 3, 10, 50] {
        let offered = (0..<200).map { item in
            ScoredItem(item: Int32(item), score: Float(random.nextInt(below: 20)), interest: 0)
        }
        var order = offered
        random.shuffle(&order)
        var selector = TopKSelector(capacity: capacity)
        for candidate in order { selector.offer(score: candidate.score, item: candidate.item) }
        let expected = Array(offered.sorted(by: ScoredItem.ranksBefore).prefix(capacity))
        #expect(selector.sorted() == expected)
    }
}

@Test func selectorSkipsNaN() {
    var selector = TopKSelector(capacity: 2)
    selector.offer(score: .nan, item: 0)
    selector.offer(score: 1, item: 1)
    #expect(selector.sorted().map(\.item) == [1])
}

@Test func mergeKeepsMaxScoreAndLowerInterestOnTies() {
    let merged = MultiInterestMerge.merge(
        [
            [ScoredItem(item: 4, score: 2, interest: 0), ScoredItem(item: 1, score: 1, interest: 0)],
            [ScoredItem(item: 1, score: 3, interest: 1), ScoredItem(item: 4, score: 2, interest: 1)],
        ], n: 5)
    #expect(merged == [ScoredItem(item: 1, score: 3, interest: 1), ScoredItem(item: 4, score: 2, interest: 0)])
}
