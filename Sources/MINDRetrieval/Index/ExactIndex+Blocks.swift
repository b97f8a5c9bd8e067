import MINDCore

/// One user chunk's GEMM rows: the unmasked interests of its users, packed once and scored against any item blocks.
///
/// The rows depend only on the chunk (never on the thread count or on which item range is scored), so every
/// worker scoring this chunk runs GEMMs with the same left operand and gets bit-identical scores.
struct PackedChunk {
    /// The chunk's users, as indices into the batch.
    let users: Range<Int>
    /// Unmasked interest vectors, user by user. // [rowCount, d]
    let rows: [Float]
    /// The interest slot of each row. // [rowCount]
    let rowInterest: [Int]
    /// Local user -> first row; `firstRow[users.count]` is the row count. // [users.count + 1]
    let firstRow: [Int]
    /// Per local user, its excluded items sorted and de-duplicated. // [users.count][*]
    let exclusions: [[Int32]]

    /// Packs the unmasked interests of `users` from `interests`.
    init(_ interests: InterestBatch, users: Range<Int>, exclude: [[Int32]]) {
        let d = interests.dimension
        let slots = interests.interestCount
        var rows = [Float]()
        rows.reserveCapacity(users.count * slots * d)
        var rowInterest = [Int]()
        var firstRow = [Int]()
        for user in users {
            firstRow.append(rowInterest.count)
            for interest in 0..<slots where interests.isActive(user: user, interest: interest) {
                let start = (user * slots + interest) * d
                rows.append(contentsOf: interests.vectors[start..<(start + d)])
                rowInterest.append(interest)
            }
        }
        firstRow.append(rowInterest.count)
        self.users = users
        self.rows = rows
        self.rowInterest = rowInterest
        self.firstRow = firstRow
        self.exclusions = users.map { exclude.isEmpty ? [] : Array(Set(exclude[$0])).sorted() }
    }

    /// Number of GEMM rows (unmasked interests of all the chunk's users).
    var rowCount: Int { rowInterest.count }
}

extension ExactIndex {
    /// Number of item blocks; block `b` holds items `b * itemBlockSize ..< min((b + 1) * itemBlockSize, count)`.
    ///
    /// Boundaries depend only on `itemBlockSize`, never on the worker count, so splitting the catalogue into whole
    /// blocks keeps every GEMM identical.
    var blockCount: Int { (items.count + itemBlockSize - 1) / itemBlockSize }

    /// Scores `chunk` against item blocks `blocks` and returns one selector per local user, each holding the best
    /// `min(n, count)` items of that range (fused max over the user's rows, exclusions skipped).
    func scoreBlocks(_ chunk: PackedChunk, blocks: Range<Int>, n: Int) -> [TopKSelector] {
        let d = dimension
        let rowCount = chunk.rowCount
        let blockSize = min(itemBlockSize, items.count)
        var selectors = chunk.users.map { _ in TopKSelector(capacity: min(n, items.count)) }
        guard !blocks.isEmpty else { return selectors }
        let firstItem = Int32(truncatingIfNeeded: blocks.lowerBound * itemBlockSize)
        // Start each user's exclusion cursor at this range's first item.
        var cursors = chunk.exclusions.map { excluded in excluded.partitioningIndex { $0 >= firstItem } }
        var blockScores = [Float](repeating: 0, count: rowCount * blockSize)  // [rows, width]
        var blockMax = [Float](repeating: 0, count: blockSize)  // [width]

        blockColumns.withUnsafeBufferPointer { columns in
        chunk.rows.withUnsafeBufferPointer { queryRows in
        blockScores.withUnsafeMutableBufferPointer { scoreBuffer in
        blockMax.withUnsafeMutableBufferPointer { maxBuffer in
            let scores = scoreBuffer.baseAddress!
            let maxima = maxBuffer.baseAddress!
            for block in blocks {
                let blockStart = block * itemBlockSize
                let width = min(itemBlockSize, items.count - blockStart)
                // scores[rows, width] = queryRows[rows, d] x block[d, width]; each row's scores are the same bits
                // whatever other rows share the chunk.
                MatrixKernels.rowIndependentMultiply(
                    queryRows.baseAddress!, columns.baseAddress! + blockStart * d, scores,
                    m: rowCount, n: width, k: d, transposeA: false, transposeB: false, accumulate: false)
                for local in 0..<chunk.users.count {
                    let rows = chunk.firstRow[local]..<chunk.firstRow[local + 1]
                    let userScores: UnsafePointer<Float>
                    if rows.count == 1 {
                        userScores = UnsafePointer(scores + rows.lowerBound * width)
                    } else {
                        Self.rowMaximum(scores + rows.lowerBound * width, rows: rows.count, width: width, into: maxima)
                        userScores = UnsafePointer(maxima)
                    }
                    chunk.exclusions[local].withUnsafeBufferPointer { excluded in
                        selectors[local].offerBlock(
                            scores: userScores, count: width, firstItem: blockStart,
                            exclusions: excluded, cursor: &cursors[local]
                        ) { column in
                            // The first row reaching the maximum: the lowest interest index on a tie.
                            let best = userScores[column]
                            for row in rows where scores[row * width + column] == best {
                                return chunk.rowInterest[row]
                            }
                            return chunk.rowInterest[rows.lowerBound]
                        }
                    }
                }
            }
        }
        }
        }
        }
        return selectors
    }

    /// maxima[j] = max over r < rowCount of scores[r * width + j], j < width.
    @inline(__always)
    static func rowMaximum(_ scores: UnsafePointer<Float>, rows rowCount: Int, width: Int, into maxima: UnsafeMutablePointer<Float>) {
        maxima.update(from: scores, count: width)
        for row in 1..<max(rowCount, 1) {
            let values = scores + row * width
            for column in 0..<width {
                let value = values[column]
                maxima[column] = value > maxima[column] ? value : maxima[column]
            }
        }
    }
}

extension Array where Element == Int32 {
    /// The first index whose element satisfies `predicate`, for a predicate false then true along the array.
    func partitioningIndex(where predicate: (Int32) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// Storage shared with workers that each write disjoint slots.
struct WorkerSlots<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
}
