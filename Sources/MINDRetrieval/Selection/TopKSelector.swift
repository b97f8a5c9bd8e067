/// Keeps the best `capacity` of a stream of scored items: a fixed-capacity binary min-heap whose root is the worst kept.
///
/// Hand-written rather than swift-collections' `Heap` because top-k needs a bounded heap with replace-the-root, and
/// a scan must read the admission threshold without a call; over 100k items x 24k queries the scan, not the heap,
/// dominates, and the threshold test is one compare per item.
/// Order is `ScoredItem.ranksBefore`: higher score first, equal scores by lower item index.
public struct TopKSelector: Sendable {
    /// The most items kept.
    public let capacity: Int
    private var scores: [Float]
    private var items: [Int32]
    private var interests: [Int]
    /// Number of items kept so far.
    public private(set) var count = 0

    /// An empty selector keeping at most `capacity` items.
    public init(capacity: Int) {
        precondition(capacity >= 0, "A top-k selector needs a non-negative capacity.")
        self.capacity = capacity
        scores = [Float](repeating: 0, count: capacity)
        items = [Int32](repeating: 0, count: capacity)
        interests = [Int](repeating: 0, count: capacity)
    }

    /// Scores below this can never enter (-infinity until the selector is full); NaN never passes `>=`.
    @inline(__always)
    public var threshold: Float {
        count < capacity ? -Float.infinity : scores[0]
    }

    /// Whether `item` with `score` would be kept if offered now.
    @inline(__always)
    public func admits(score: Float, item: Int32) -> Bool {
        if score.isNaN || capacity == 0 { return false }
        if count < capacity { return true }
        return score > scores[0] || (score == scores[0] && item < items[0])
    }

    /// Offers one item; keeps it if it ranks among the best `capacity` seen. Returns whether it was kept.
    @discardableResult
    @inline(__always)
    public mutating func offer(score: Float, item: Int32, interest: Int = 0) -> Bool {
        guard admits(score: score, item: item) else { return false }
        if count < capacity {
            var child = count
            count += 1
            while child > 0 {
                let parent = (child - 1) >> 1
                guard Self.ranksBelow(score, item, scores[parent], items[parent]) else { break }
                move(from: parent, to: child)
                child = parent
            }
            place(score, item, interest, at: child)
        } else {
            siftDownFromRoot(score, item, interest)
        }
        return true
    }

    /// The kept items, best first.
    public func sorted() -> [ScoredItem] {
        var result = [ScoredItem]()
        result.reserveCapacity(count)
        for slot in 0..<count {
            result.append(ScoredItem(item: items[slot], score: scores[slot], interest: interests[slot]))
        }
        result.sort(by: ScoredItem.ranksBefore)
        return result
    }

    /// Empties the selector, keeping its storage.
    public mutating func removeAll() {
        count = 0
    }

    /// Whether (scoreA, itemA) ranks below (scoreB, itemB).
    @inline(__always)
    private static func ranksBelow(_ scoreA: Float, _ itemA: Int32, _ scoreB: Float, _ itemB: Int32) -> Bool {
        scoreA < scoreB || (scoreA == scoreB && itemA > itemB)
    }

    @inline(__always)
    private mutating func move(from source: Int, to destination: Int) {
        scores[destination] = scores[source]
        items[destination] = items[source]
        interests[destination] = interests[source]
    }

    @inline(__always)
    private mutating func place(_ score: Float, _ item: Int32, _ interest: Int, at slot: Int) {
        scores[slot] = score
        items[slot] = item
        interests[slot] = interest
    }

    private mutating func siftDownFromRoot(_ score: Float, _ item: Int32, _ interest: Int) {
        var slot = 0
        while true {
            let left = 2 * slot + 1
            if left >= count { break }
            let right = left + 1
            var worst = left
            if right < count && Self.ranksBelow(scores[right], items[right], scores[left], items[left]) {
                worst = right
            }
            guard Self.ranksBelow(scores[worst], items[worst], score, item) else { break }
            move(from: worst, to: slot)
            slot = worst
        }
        place(score, item, interest, at: slot)
    }
}
