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
///   two runs): 100k items, one worker 5.6-11.3 s, `.blasThreads` 7.7-14.5 s, `.userChunks(workers: 2)` 3.3-5.5 s
///   (1.7-2.0x one worker); 3,700 items, one worker 0.89-0.92 s, `.blasThreads` 0.69-2.7 s, `.userChunks` 0.92-1.24 s.
///   Chunk-parallel wins clearly on the large catalogue (the scan runs on both cores, and OpenBLAS's spinning
///   threads suffer under load); the small catalogue was too noisy to separate. Default: `.userChunks`.
public struct ExactIndex: VectorIndex {
    /// How a batch uses the machine's cores.
    public enum Parallelism: Sendable, Equatable {
        /// User chunks one after another on the calling thread; OpenBLAS uses its own threads inside each GEMM.
        case blasThreads
        /// User chunks spread over `workers` threads (DispatchQueue.concurrentPerform), OpenBLAS single-threaded
        /// inside each chunk; the top-k scan is parallel too.
        case userChunks(workers: Int)
    }

    /// The catalogue.
    public let items: ItemMatrix
    /// Items per GEMM block.
    public var itemBlockSize: Int
    /// Users per GEMM (all their unmasked interests are rows of one GEMM).
    public var userChunkSize: Int
    /// How a batch is spread over cores.
    public var parallelism: Parallelism

    public var count: Int { items.count }
    public var dimension: Int { items.dimension }

    /// An exact index over `items`; the defaults are the measured best on a 2-core machine.
    public init(
        items: ItemMatrix, itemBlockSize: Int? = nil, userChunkSize: Int = 64,
        parallelism: Parallelism = .userChunks(workers: ProcessInfo.processInfo.activeProcessorCount)
    ) {
        precondition(userChunkSize > 0, "The user chunk size must be positive.")
        // 128 KiB of item vectors per block, a quarter of a 512 KiB L2: room for the score block being scanned.
        self.itemBlockSize = itemBlockSize ?? max(64, (128 * 1024 / MemoryLayout<Float>.size) / items.dimension)
        precondition(self.itemBlockSize > 0, "The item block size must be positive.")
        self.items = items
        self.userChunkSize = userChunkSize
        self.parallelism = parallelism
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
        switch parallelism {
        case .blasThreads:
            for start in stride(from: 0, to: userCount, by: userChunkSize) {
                let users = start..<min(start + userChunkSize, userCount)
                let chunk = scoreChunk(interests, users: users, n: n, exclude: exclude)
                results.replaceSubrange(users, with: chunk)
            }
        case .userChunks(let workers):
            // Smaller chunks when the batch is small, so that every worker has one.
            let workerCount = max(1, workers)
            let chunkSize = max(1, min(userChunkSize, (userCount + workerCount - 1) / workerCount))
            let chunkCount = (userCount + chunkSize - 1) / chunkSize
            let threads = min(workerCount, chunkCount)
            let previousThreads = BLAS.threadCount
            // One chunk on a multi-core budget (a single user) leaves OpenBLAS its threads.
            let singleThreadedBLAS = threads > 1 || workerCount == 1
            if singleThreadedBLAS { BLAS.setThreadCount(1) }
            defer { if singleThreadedBLAS { BLAS.setThreadCount(previousThreads) } }
            results.withUnsafeMutableBufferPointer { buffer in
                let slots = ResultSlots(base: buffer.baseAddress!)
                let work = { (worker: Int) in
                    // Worker w takes chunks w, w + threads, ...: equal chunks, so striding balances the load.
                    for chunk in stride(from: worker, to: chunkCount, by: threads) {
                        let users = (chunk * chunkSize)..<min((chunk + 1) * chunkSize, userCount)
                        let scored = scoreChunk(interests, users: users, n: n, exclude: exclude)
                        for (offset, user) in users.enumerated() { slots.base[user] = scored[offset] }
                    }
                }
                if threads == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: work) }
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
