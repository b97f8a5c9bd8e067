import MINDCore
import Testing
@testable import MINDRetrieval

private let threadCounts = [1, 2, 5]

@Test(arguments: [
    // (items, users, K, d, n, excluded per user, item block, user chunk)
    (50, 7, 4, 8, 10, 5, 16, 3),
    (200, 33, 3, 16, 25, 20, 64, 8),
    (13, 5, 2, 4, 40, 3, 5, 2),  // n > catalogue
    (300, 1, 1, 32, 7, 0, 1000, 64),
    (129, 70, 4, 5, 129, 10, 32, 64),  // n = catalogue
])
func exactIndexMatchesBruteForceOnIntegerData(shape: (Int, Int, Int, Int, Int, Int, Int, Int)) {
    let (itemCount, userCount, interestCount, dimension, n, excluded, block, chunk) = shape
    let problem = RandomProblem(
        itemCount: itemCount, userCount: userCount, interestCount: interestCount, dimension: dimension,
        integral: true, excludePerUser: excluded, seed: UInt64(itemCount * 31 + userCount))
    let expected = referenceRecommend(items: problem.items, interests: problem.interests, n: n, exclude: problem.exclude)
    for threads in threadCounts {
        let index = ExactIndex(items: problem.items, itemBlockSize: block, userChunkSize: chunk, threads: threads)
        let got = index.recommend(interests: problem.interests, n: n, exclude: problem.exclude)
        #expect(got == expected)
        for (user, list) in got.enumerated() {
            let allowed = itemCount - Set(problem.exclude[user]).count
            #expect(list.count == min(n, allowed))
            #expect(Set(list.map(\.item)).count == list.count)
        }
    }
}

@Test func exactIndexMatchesBruteForceOnGaussianDataWithinRounding() {
    let problem = RandomProblem(
        itemCount: 1000, userCount: 40, interestCount: 4, dimension: 24,
        integral: false, excludePerUser: 30, seed: 11)
    let expected = referenceRecommend(items: problem.items, interests: problem.interests, n: 50, exclude: problem.exclude)
    let got = ExactIndex(items: problem.items, itemBlockSize: 128, userChunkSize: 16)
        .recommend(interests: problem.interests, n: 50, exclude: problem.exclude)
    for user in 0..<problem.interests.count {
        #expect(got[user].count == 50)
        for (a, b) in zip(got[user], expected[user]) { #expect(abs(a.score - b.score) < 1e-4) }
        // Near-ties may swap under different summation orders, so compare sets away from the cut.
        let sure = Set(expected[user].prefix(40).map(\.item))
        #expect(sure.isSubset(of: Set(got[user].map(\.item))))
        #expect(Set(got[user].map(\.item)).isDisjoint(with: Set(problem.exclude[user])))
    }
}

@Test func maskedInterestsAreIgnored() {
    let items = ItemMatrix(count: 4, dimension: 2, storage: [1, 0, 0, 1, -1, 0, 0, -1])
    // User 0's second interest would win every item by far, but it is masked.
    let interests = InterestBatch(
        count: 1, interestCount: 2, dimension: 2, vectors: [1, 0, -100, -100], mask: [true, false])
    let got = ExactIndex(items: items).recommend(interests: interests, n: 4, exclude: [])
    #expect(got[0].map(\.item) == [0, 1, 3, 2])
    #expect(got[0].allSatisfy { $0.interest == 0 })
}

@Test func itemsFoundByTwoInterestsAppearOnceWithTheBetterScore() {
    let items = ItemMatrix(count: 3, dimension: 2, storage: [1, 1, 1, 0, 0, 1])
    let interests = InterestBatch(
        count: 1, interestCount: 3, dimension: 2, vectors: [1, 0, 0, 2, 1, 0], mask: [true, true, true])
    let got = ExactIndex(items: items).recommend(interests: interests, n: 10, exclude: [[]])[0]
    #expect(got == [
        ScoredItem(item: 0, score: 2, interest: 1),
        ScoredItem(item: 2, score: 2, interest: 1),
        ScoredItem(item: 1, score: 1, interest: 0),  // interests 0 and 2 tie: the lower wins
    ])
}

/// An index that only knows single-vector search, to exercise the protocol's per-interest merge.
private struct SearchOnly: VectorIndex {
    var exact: ExactIndex
    var count: Int { exact.count }
    var dimension: Int { exact.dimension }
    func search(queries: [Float], queryCount: Int, n: Int, exclude: [[Int32]]) -> [[ScoredItem]] {
        exact.search(queries: queries, queryCount: queryCount, n: n, exclude: exclude)
    }
}

@Test func perInterestMergeEqualsFusedMax() {
    let problem = RandomProblem(
        itemCount: 150, userCount: 25, interestCount: 4, dimension: 6,
        integral: true, excludePerUser: 12, seed: 5)
    let exact = ExactIndex(items: problem.items, itemBlockSize: 40, userChunkSize: 4)
    let fused = exact.recommend(interests: problem.interests, n: 20, exclude: problem.exclude)
    let merged = SearchOnly(exact: exact).recommend(interests: problem.interests, n: 20, exclude: problem.exclude)
    #expect(fused == merged)
}

@Test func singleQuerySearch() {
    let items = ItemMatrix(count: 4, dimension: 2, storage: [1, 0, 0, 1, 2, 2, -1, 0])
    let got = ExactIndex(items: items).search(query: [1, 1], n: 3, exclude: [2])
    #expect(got == [
        ScoredItem(item: 0, score: 1, interest: 0), ScoredItem(item: 1, score: 1, interest: 0),
        ScoredItem(item: 3, score: -1, interest: 0),
    ])
}

@Test func emptyCasesReturnEmptyLists() {
    let items = ItemMatrix(count: 3, dimension: 2, storage: [1, 0, 0, 1, 1, 1])
    let index = ExactIndex(items: items)
    let one = InterestBatch(singleVectors: [1, 1], count: 1, dimension: 2)
    #expect(index.recommend(interests: one, n: 0, exclude: []) == [[]])
    #expect(index.recommend(interests: one, n: 5, exclude: [[0, 1, 2, 99]]) == [[]])
    #expect(index.recommend(interests: InterestBatch(singleVectors: [], count: 0, dimension: 2), n: 5, exclude: []).isEmpty)
    let empty = ExactIndex(items: ItemMatrix(count: 0, dimension: 2, storage: []))
    #expect(empty.recommend(interests: one, n: 5, exclude: []) == [[]])
}

@Test func interestBatchSliceKeepsUsersVectorsAndMasks() {
    let problem = RandomProblem(
        itemCount: 10, userCount: 6, interestCount: 3, dimension: 4, integral: true, excludePerUser: 0, seed: 3)
    let slice = problem.interests.slice(2..<5)
    #expect(slice.count == 3)
    #expect(Array(slice.vectors) == Array(problem.interests.vectors[(2 * 12)..<(5 * 12)]))
    #expect(Array(slice.mask) == Array(problem.interests.mask[6..<15]))
}
