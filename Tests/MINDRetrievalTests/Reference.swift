import MINDCore
@testable import MINDRetrieval

/// Brute-force multi-interest retrieval: every score, a full sort. Exact when the vectors hold small integers.
func referenceRecommend(items: ItemMatrix, interests: InterestBatch, n: Int, exclude: [[Int32]]) -> [[ScoredItem]] {
    let d = items.dimension
    return (0..<interests.count).map { user in
        let excluded = Set(exclude.isEmpty ? [] : exclude[user])
        var scored = [ScoredItem]()
        for item in 0..<items.count where !excluded.contains(Int32(item)) {
            var best: ScoredItem?
            for interest in 0..<interests.interestCount where interests.isActive(user: user, interest: interest) {
                var dot: Float = 0
                for j in 0..<d {
                    dot += items.storage[item * d + j] * interests.vectors[(user * interests.interestCount + interest) * d + j]
                }
                if best == nil || dot > best!.score { best = ScoredItem(item: Int32(item), score: dot, interest: interest) }
            }
            scored.append(best!)
        }
        scored.sort(by: ScoredItem.ranksBefore)
        return Array(scored.prefix(n))
    }
}

/// Random shapes and values for the index tests.
struct RandomProblem {
    var items: ItemMatrix
    var interests: InterestBatch
    var exclude: [[Int32]]

    /// `integral` draws values in -3...3 so that dot products are exact and ties are common.
    init(itemCount: Int, userCount: Int, interestCount: Int, dimension: Int, integral: Bool, excludePerUser: Int, seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        func value() -> Float { integral ? Float(random.nextInt(below: 7) - 3) : random.nextNormal() }
        items = ItemMatrix(
            count: itemCount, dimension: dimension, storage: (0..<(itemCount * dimension)).map { _ in value() })
        var mask = [Bool]()
        for _ in 0..<userCount {
            let active = 1 + random.nextInt(below: interestCount)
            mask += (0..<interestCount).map { $0 < active }
            // Masks are not always a prefix: shuffle some users' slots.
            if random.nextInt(below: 2) == 0 {
                var tail = Array(mask.suffix(interestCount))
                random.shuffle(&tail)
                mask.replaceSubrange((mask.count - interestCount)..<mask.count, with: tail)
            }
        }
        interests = InterestBatch(
            count: userCount, interestCount: interestCount, dimension: dimension,
            vectors: (0..<(userCount * interestCount * dimension)).map { _ in value() }, mask: mask)
        exclude = (0..<userCount).map { _ in
            (0..<excludePerUser).map { _ in Int32(random.nextInt(below: max(1, itemCount))) }
        }
    }
}
