import MINDData
import Testing
@testable import MINDServing
import MINDEval

@Test func mostPopularRanksByCountThenIndex() {
    let baseline = MostPopular(counts: [5, 9, 5, 0, 9])
    #expect(baseline.ranking == [1, 4, 0, 2, 3])
    #expect(baseline.recommend(history: [], n: 3).map(\.item) == [1, 4, 0])
    #expect(baseline.recommend(history: [], n: 3).map(\.score) == [9, 9, 5])
}

@Test func mostPopularExcludesTheHistory() {
    let baseline = MostPopular(counts: [5, 9, 5, 0, 9])
    #expect(baseline.recommend(history: [4, 1, 4], n: 2).map(\.item) == [0, 2])
    let cases = [
        EvaluationCase(user: 0, history: [1], truth: [4]),
        EvaluationCase(user: 1, history: [0, 2], truth: [3]),
    ]
    #expect(baseline.retrieve(cases[...], n: 10) == [[4, 0, 2, 3], [1, 4, 3]])
}

@Test func mostPopularEvaluates() throws {
    let baseline = MostPopular(counts: [1, 3, 2])
    let cases = [EvaluationCase(user: 0, history: [1], truth: [2])]
    let result = try Evaluator(cutoffs: [1]).evaluate(cases, retrieve: baseline.retrieve)
    #expect(result[cutoff: 1]?.recall == 1)
}
