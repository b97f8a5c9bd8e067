extension TopKSelector {
    /// Offers a block of consecutive items `firstItem ..< firstItem + count` with their scores, skipping excluded ones.
    ///
    /// Blocks must come in increasing item order: then an equal score never displaces a kept item (it has a higher
    /// index), so the scan is one `>=` per item and the heap is touched only by the rare admissions.
    /// - Parameters:
    ///   - exclusions: sorted, duplicate-free item indices never to keep.
    ///   - cursor: position in `exclusions`, carried across blocks of the same scan.
    ///   - interestOf: the interest attaining the score at a block column, asked only for admitted items.
    @inline(__always)
    mutating func offerBlock(
        scores: UnsafePointer<Float>, count blockCount: Int, firstItem: Int,
        exclusions: UnsafeBufferPointer<Int32>, cursor: inout Int,
        interestOf: (Int) -> Int
    ) {
        guard capacity > 0 else { return }
        let capacity = capacity
        var kept = count
        heap.withUnsafeMutableBufferPointer { slots in
            let heap = slots.baseAddress!
            var limit = kept < capacity ? -Float.infinity : heap[0].score
            for column in 0..<blockCount where scores[column] >= limit {
                let score = scores[column]
                let item = Int32(truncatingIfNeeded: firstItem + column)
                while cursor < exclusions.count && exclusions[cursor] < item { cursor += 1 }
                if cursor < exclusions.count && exclusions[cursor] == item { continue }
                if kept == capacity && !Self.ranksBelow(heap[0].score, heap[0].item, score, item) { continue }
                let entry = Entry(score: score, item: item, interest: Int32(truncatingIfNeeded: interestOf(column)))
                Self.insert(entry, into: heap, count: &kept, capacity: capacity)
                limit = kept < capacity ? -Float.infinity : heap[0].score
            }
        }
        count = kept
    }
}
