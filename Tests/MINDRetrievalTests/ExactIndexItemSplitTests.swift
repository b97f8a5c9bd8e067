import MINDCore
import Testing
@testable import MINDRetrieval

// One request (a batch smaller than the workers) splits the catalogue into runs of whole item blocks over the
// workers and merges their lists: the result must equal the brute-force reference whatever the thread count.

private let splitThreadCounts = [1, 2, 3, 7]

@Test(arguments: [
    // (items, users, K, d, n, excluded per user, item block): users stay below one chunk of 64.
    (9, 1, 4, 3, 5, 2, 16),  // catalogue smaller than one block
    (16, 1, 4, 3, 16, 3, 16),  // exactly one block, n = catalogue
    (100, 1, 4, 5, 30, 10, 16),  // 7 blocks, the last one partial
    (250, 3, 3, 4, 40, 25, 32),  // three users in one chunk
    (97, 2, 2, 6, 200, 5, 8),  // n > catalogue
    (50, 1, 1, 4, 10, 0, 7),  // one interest, more workers than some ranges have blocks
])
func itemSplitMatchesBruteForceOnIntegerData(shape: (Int, Int, Int, Int, Int, Int, Int)) {
    let (itemCount, userCount, interestCount, dimension, n, excluded, block) = shape
    let problem = RandomProblem(
        itemCount: itemCount, userCount: userCount, interestCount: interestCount, dimension: dimension,
        integral: true, excludePerUser: excluded, seed: UInt64(itemCount * 17 + block))
    let expected = referenceRecommend(items: problem.items, interests: problem.interests, n: n, exclude: problem.exclude)
    for threads in splitThreadCounts {
        let index = ExactIndex(items: problem.items, itemBlockSize: block, threads: threads)
        #expect(index.recommend(interests: problem.interests, n: n, exclude: problem.exclude) == expected)
    }
}

@Test func itemSplitKeepsTiesInItemOrderAcrossWorkerRanges() {
    // Every item scores the same: the top-n is the n lowest items, which all live in the first worker's range,
    // and the interest is the lowest active one.
    let itemCount = 40, dimension = 2
    let items = ItemMatrix(count: itemCount, dimension: dimension, storage: [Float](repeating: 1, count: itemCount * dimension))
    let interests = InterestBatch(
        count: 1, interestCount: 3, dimension: dimension, vectors: [9, 9, 1, 1, 1, 1], mask: [false, true, true])
    for threads in splitThreadCounts {
        let got = ExactIndex(items: items, itemBlockSize: 4, threads: threads).recommend(interests: interests, n: 6, exclude: [])
        #expect(got[0] == (0..<6).map { ScoredItem(item: Int32($0), score: 2, interest: 1) })
    }
}

@Test func itemSplitExclusionsSpanWorkerRanges() {
    // Item i scores i, so the best items sit in the last worker's range; exclusions are spread over every range
    // (and include indices outside the catalogue, which are ignored).
    let itemCount = 64
    let items = ItemMatrix(count: itemCount, dimension: 1, storage: (0..<itemCount).map { Float($0) })
    let interests = InterestBatch(singleVectors: [1], count: 1, dimension: 1)
    let excluded: [Int32] = [63, 62, 47, 40, 31, 15, 3, 0, 99, -1, 63]
    let expected = (0..<itemCount).reversed().filter { !excluded.contains(Int32($0)) }.prefix(20)
    for threads in splitThreadCounts {
        let got = ExactIndex(items: items, itemBlockSize: 8, threads: threads).recommend(interests: interests, n: 20, exclude: [excluded])
        #expect(got[0].map(\.item) == expected.map { Int32($0) })
    }
    // Excluding everything but the first worker's range: the merge takes all of it from one list.
    let allButFirst = (8..<itemCount).map { Int32($0) }
    for threads in splitThreadCounts {
        let got = ExactIndex(items: items, itemBlockSize: 8, threads: threads).recommend(interests: interests, n: 20, exclude: [allButFirst])
        #expect(got[0].map(\.item) == (0..<8).reversed().map { Int32($0) })
    }
}

@Test func itemSplitNeverScoresMaskedInterests() {
    let itemCount = 30
    var storage = [Float]()
    for item in 0..<itemCount { storage += [Float(item % 5), 1] }
    let items = ItemMatrix(count: itemCount, dimension: 2, storage: storage)
    // The masked interests would beat the active one on every item.
    let interests = InterestBatch(
        count: 1, interestCount: 4, dimension: 2, vectors: [100, 100, 1, 0, 50, 50, 100, 0], mask: [false, true, false, false])
    for threads in splitThreadCounts {
        let got = ExactIndex(items: items, itemBlockSize: 4, threads: threads).recommend(interests: interests, n: itemCount, exclude: [])[0]
        #expect(got.allSatisfy { $0.interest == 1 && $0.score == Float(Int($0.item) % 5) })
        #expect(got.count == itemCount)
    }
}

@Test func itemSplitIsBitIdenticalToOneThreadOnGaussianData() {
    let problem = RandomProblem(
        itemCount: 3000, userCount: 2, interestCount: 4, dimension: 24, integral: false, excludePerUser: 40, seed: 21)
    let one = ExactIndex(items: problem.items, itemBlockSize: 128, threads: 1)
        .recommend(interests: problem.interests, n: 100, exclude: problem.exclude)
    for threads in [2, 3, 7] {
        let split = ExactIndex(items: problem.items, itemBlockSize: 128, threads: threads)
            .recommend(interests: problem.interests, n: 100, exclude: problem.exclude)
        #expect(split == one)
    }
}

/// A user's scores are the same bits alone as in a batch of 150 (three chunks, other users' rows beside its own), on
/// 1 or 3 threads: the chunk's product is row-independent.
@Test func aUserGetsTheSameBitsAloneAndInABatch() {
    let problem = RandomProblem(
        itemCount: 1500, userCount: 150, interestCount: 4, dimension: 24, integral: false, excludePerUser: 20, seed: 33)
    for threads in [1, 3] {
        let index = ExactIndex(items: problem.items, itemBlockSize: 256, threads: threads)
        let together = index.recommend(interests: problem.interests, n: 50, exclude: problem.exclude)
        for user in [0, 1, 63, 64, 100, 149] {
            let alone = index.recommend(interests: problem.interests.slice(user..<(user + 1)), n: 50, exclude: [problem.exclude[user]])
            #expect(alone[0] == together[user], "user \(user), threads \(threads)")
        }
    }
}

@Test func disjointMergeTakesTheBestInRankingOrder() {
    let lists: [[ScoredItem]] = [
        [ScoredItem(item: 5, score: 3, interest: 0), ScoredItem(item: 1, score: 1, interest: 2)],
        [],
        [ScoredItem(item: 9, score: 3, interest: 1), ScoredItem(item: 2, score: 1, interest: 0), ScoredItem(item: 7, score: 0, interest: 0)],
    ]
    #expect(TopKSelector.mergeDisjoint(lists, n: 4).map(\.item) == [5, 9, 1, 2])
    #expect(TopKSelector.mergeDisjoint(lists, n: 10).count == 5)
    #expect(TopKSelector.mergeDisjoint(lists, n: 0).isEmpty)
}
