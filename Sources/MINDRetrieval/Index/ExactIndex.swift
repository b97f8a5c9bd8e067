import Dispatch
import Foundation
import MINDCore

/// Exact top-n by inner product over the whole catalogue: blocked GEMM (queries x item block) plus a top-k scan.
///
/// Item blocks are sized so a block of item vectors stays in L2 while every query row of a user chunk is scored
/// against it; each user keeps one `TopKSelector` across blocks. Multi-interest users are scored with the fused
/// max over their unmasked interests, which gives exactly the per-interest top-n merged by max (see `VectorIndex`).
///
/// Measured on 2 cores (AMD EPYC, 512 KiB L2 per core, OpenBLAS 0.3.21 ZEN kernels), release build, K = 4, d = 64,
/// n = 100, 50 excluded items per user (`MIND_BENCH=1 swift test -c release --filter 'exactIndex.*Profile|Benchmark'`):
/// - one core, CPU time, 1,000 users: 100k items 0.90 s, of which the blocked GEMM alone is 0.75 s (65 GFLOP/s);
///   3,700 items 0.071 s against 0.029 s of GEMM (the heap matters more when the catalogue is small). Item blocks of
///   256-1,024 and user chunks of 64-128 are within 3% of each other; chunks of 16 cost 15% more.
/// - two cores, wall time, 6,000 users, fastest of 3, on a machine shared with other builds (load 4-5, so ranges over
///   two runs): 100k items, one worker 5.6-11.3 s, OpenBLAS's own threads 7.7-14.5 s, user chunks on two workers
///   3.3-5.5 s (1.7-2.0x one worker). So a batch is split into user chunks over `threads` workers, each running a
///   single-threaded GEMM (OpenBLAS is set to one thread at start-up; its spinning threads suffer under load).
public struct ExactIndex: VectorIndex {
    /// The catalogue.
    public let items: ItemMatrix
    /// Items per GEMM block.
    public var itemBlockSize: Int
    /// Users per GEMM (all their unmasked interests are rows of one GEMM).
    public var userChunkSize: Int
    /// Workers a batch of users is spread over (1 = the calling thread); the result does not depend on it.
    public var threads: Int

    public var count: Int { items.count }
    public var dimension: Int { items.dimension }

    /// An exact index over `items`; the defaults are the measured best on a 2-core machine.
    public init(
        items: ItemMatrix, itemBlockSize: Int? = nil, userChunkSize: Int = 64, threads: Int = 1
    ) {
        precondition(userChunkSize > 0, "The user chunk size must be positive.")
        precondition(threads > 0, "An exact index needs at least one thread.")
        // 128 KiB of item vectors per block, a quarter of a 512 KiB L2: room for the score block being scanned.
        self.itemBlockSize = itemBlockSize ?? max(64, (128 * 1024 / MemoryLayout<Float>.size) / items.dimension)
        precondition(self.itemBlockSize > 0, "The item block size must be positive.")
        self.items = items
        self.userChunkSize = userChunkSize
        self.threads = threads
    }

    public func search(queries: [Float], queryCount: Int, n: Int, exclude: [[Int32]]) -> [[ScoredItem]] {
        recommend(interests: InterestBatch(singleVectors: queries, count: queryCount, dimension: dimension), n: n, exclude: exclude)
    }

    public func recommend(interests: InterestBatch, n: Int, exclude: [[Int32]]) -> [[ScoredItem]] {
        precondition(interests.dimension == dimension, "Interests have dimension \(interests.dimension) but the index has \(dimension).")
        precondition(exclude.isEmpty || exclude.count == interests.count, "Give one exclusion list per user, or none.")
        precondition(n >= 0, "The number of results must be non-negative.")
        let userCount = interests.count
        guard userCount > 0 else { return [] }
        guard n > 0, items.count > 0 else { return [[ScoredItem]](repeating: [], count: userCount) }

        var results = [[ScoredItem]](repeating: [], count: userCount)
        // Chunks of a fixed size whatever the thread count, so every GEMM has the same rows and the scores
        // are bit-identical on 1 or N threads; a batch smaller than one chunk runs on the calling thread.
        let chunkSize = userChunkSize
        let chunkCount = (userCount + chunkSize - 1) / chunkSize
        let workers = min(threads, chunkCount)
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = ResultSlots(base: buffer.baseAddress!)
            Parallel.run(workers: workers) { worker in
                // Worker w takes chunks w, w + workers, ...: equal chunks, so striding balances the load.
                for chunk in stride(from: worker, to: chunkCount, by: workers) {
                    let users = (chunk * chunkSize)..<min((chunk + 1) * chunkSize, userCount)
                    let scored = scoreChunk(interests, users: users, n: n, exclude: exclude)
                    for (offset, user) in users.enumerated() { slots.base[user] = scored[offset] }
                }
            }
        }
        return results
    }

    /// Top-n for the users `users`: pack their unmasked interests, then GEMM and scan one item block at a time.
    private func scoreChunk(_ interests: InterestBatch, users: Range<Int>, n: Int, exclude: [[Int32]]) -> [[ScoredItem]] {
        let d = dimension
        let slots = interests.interestCount
        // Only unmasked interests become GEMM rows; rowInterest maps a row back to its interest slot.
        var packed = [Float]()  // [rows, d]
        packed.reserveCapacity(users.count * slots * d)
        var rowInterest = [Int]()
        var firstRow = [Int]()  // user (local) -> first row; firstRow[users.count] = rows
        for user in users {
            firstRow.append(rowInterest.count)
            for interest in 0..<slots where interests.isActive(user: user, interest: interest) {
                let start = (user * slots + interest) * d
                packed.append(contentsOf: interests.vectors[start..<(start + d)])
                rowInterest.append(interest)
            }
        }
        firstRow.append(rowInterest.count)
        let rowCount = rowInterest.count

        let blockSize = min(itemBlockSize, items.count)
        var blockScores = [Float](repeating: 0, count: rowCount * blockSize)  // [rows, width]
        var blockMax = [Float](repeating: 0, count: blockSize)  // [width]
        var selectors = users.map { _ in TopKSelector(capacity: min(n, items.count)) }
        let exclusions: [[Int32]] = users.map { exclude.isEmpty ? [] : Array(Set(exclude[$0])).sorted() }
        var cursors = [Int](repeating: 0, count: users.count)

        items.storage.withUnsafeBufferPointer { itemVectors in
        packed.withUnsafeBufferPointer { queryRows in
        blockScores.withUnsafeMutableBufferPointer { scoreBuffer in
        blockMax.withUnsafeMutableBufferPointer { maxBuffer in
            let scores = scoreBuffer.baseAddress!
            let maxima = maxBuffer.baseAddress!
            for blockStart in stride(from: 0, to: items.count, by: blockSize) {
                let width = min(blockSize, items.count - blockStart)
                // scores[rows, width] = queryRows[rows, d] . itemBlock[width, d]^T
                BLAS.sgemm(
                    transposeA: false, transposeB: true, m: rowCount, n: width, k: d,
                    a: queryRows.baseAddress!, lda: d, b: itemVectors.baseAddress! + blockStart * d, ldb: d,
                    c: scores, ldc: width)
                for local in 0..<users.count {
                    let rows = firstRow[local]..<firstRow[local + 1]
                    let userScores: UnsafePointer<Float>
                    if rows.count == 1 {
                        userScores = UnsafePointer(scores + rows.lowerBound * width)
                    } else {
                        Self.rowMaximum(scores + rows.lowerBound * width, rows: rows.count, width: width, into: maxima)
                        userScores = UnsafePointer(maxima)
                    }
                    exclusions[local].withUnsafeBufferPointer { excluded in
                        selectors[local].offerBlock(
                            scores: userScores, count: width, firstItem: blockStart,
                            exclusions: excluded, cursor: &cursors[local]
                        ) { column in
                            // The first row reaching the maximum: the lowest interest index on a tie.
                            let best = userScores[column]
                            for row in rows where scores[row * width + column] == best { return rowInterest[row] }
                            return rowInterest[rows.lowerBound]
                        }
                    }
                }
            }
        }
        }
        }
        }
        return selectors.map { $0.sorted() }
    }

    /// maxima[j] = max over r of rows[r, j]. // rows: [rowCount, width]
    @inline(__always)
    private static func rowMaximum(_ rows: UnsafePointer<Float>, rows rowCount: Int, width: Int, into maxima: UnsafeMutablePointer<Float>) {
        maxima.update(from: rows, count: width)
        for row in 1..<rowCount {
            let values = rows + row * width
            for column in 0..<width {
                let value = values[column]
                maxima[column] = value > maxima[column] ? value : maxima[column]
            }
        }
    }
}

/// The result array's storage, shared with workers that each write disjoint users.
private struct ResultSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<[ScoredItem]>
}
