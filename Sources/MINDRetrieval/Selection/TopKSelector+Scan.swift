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
        scores: UnsafePointer<Float>, count: Int, firstItem: Int,
        exclusions: UnsafeBufferPointer<Int32>, cursor: inout Int,
        interestOf: (Int) -> Int
    ) {
        var limit = threshold
        for column in 0..<count where scores[column] >= limit {
            let score = scores[column]
            let item = Int32(truncatingIfNeeded: firstItem + column)
            while cursor < exclusions.count && exclusions[cursor] < item { cursor += 1 }
            if cursor < exclusions.count && exclusions[cursor] == item { continue }
            guard admits(score: score, item: item) else { continue }
            offer(score: score, item: item, interest: interestOf(column))
            limit = threshold
        }
    }
}
