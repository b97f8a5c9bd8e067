import Dispatch
import Foundation
import MINDCore

/// Exact top-n by inner product over the whole catalogue: blocked products (queries x item block) plus a top-k scan.
/// The products run on `MatrixKernels.rowIndependentMultiply` against transposed item blocks, so a user's scores are
/// the same bits alone as in any chunk (BLAS's blocking varies with the chunk's rows); at OpenBLAS's speed on these
/// shapes (BENCHMARKS.md, "Row-independent scoring"). The BLAS-era measurements below are kept for their ratios.
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
///
/// A batch with fewer user chunks than `threads` (one request) splits the catalogue instead: each worker scores the
/// chunk's rows against a contiguous run of whole item blocks and keeps its own top-n, and the disjoint lists are
/// merged. Block boundaries and GEMM rows never depend on the worker count, so results are bit-identical on any
/// `threads`. One request at 1M items is memory-bound: see BENCHMARKS.md, "Retrieval: exact scoring at 1M items".
public struct ExactIndex: VectorIndex {
    /// The catalogue.
    public let items: ItemMatrix
    /// Items per GEMM block.
    public let itemBlockSize: Int
    /// The catalogue again, block by block, each block transposed: block b, `width` items from `start = b *
    /// itemBlockSize`, is [d, width] at offset `start * d`. Scoring a chunk is then rows [R, d] x block [d, width],
    /// the layout of `MatrixKernels.rowIndependentMultiply`, so a user's scores do not depend on the chunk's other
    /// rows (BLAS's own blocking varies with them). The price is a second copy of the item vectors.
    let blockColumns: [Float]
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
        blockColumns = Self.transposedBlocks(items, blockSize: self.itemBlockSize)
        self.userChunkSize = userChunkSize
        self.threads = threads
    }

    /// `items` cut into blocks of `blockSize` items, each stored transposed ([d, width]), blocks in item order.
    static func transposedBlocks(_ items: ItemMatrix, blockSize: Int) -> [Float] {
        let d = items.dimension
        var columns = [Float](repeating: 0, count: items.count * d)
        for start in stride(from: 0, to: items.count, by: blockSize) {
            let width = min(blockSize, items.count - start)
            for item in 0..<width {
                for feature in 0..<d { columns[start * d + feature * width + item] = items.storage[(start + item) * d + feature] }
            }
        }
        return columns
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
        // are bit-identical on 1 or N threads.
        let chunkSize = userChunkSize
        let chunkCount = (userCount + chunkSize - 1) / chunkSize
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = WorkerSlots(base: buffer.baseAddress!)
            if chunkCount < threads && blockCount > 1 {
                // Too few chunks to fill the workers (one request): split each chunk's catalogue instead.
                for chunk in 0..<chunkCount {
                    let users = (chunk * chunkSize)..<min((chunk + 1) * chunkSize, userCount)
                    let scored = scoreChunkSplittingItems(PackedChunk(interests, users: users, exclude: exclude), n: n)
                    for (offset, user) in users.enumerated() { slots.base[user] = scored[offset] }
                }
                return
            }
            let workers = min(threads, chunkCount)
            Parallel.run(workers: workers) { worker in
                // Worker w takes chunks w, w + workers, ...: equal chunks, so striding balances the load.
                for chunk in stride(from: worker, to: chunkCount, by: workers) {
                    let users = (chunk * chunkSize)..<min((chunk + 1) * chunkSize, userCount)
                    let packed = PackedChunk(interests, users: users, exclude: exclude)
                    let selectors = scoreBlocks(packed, blocks: 0..<blockCount, n: n)
                    for (offset, user) in users.enumerated() { slots.base[user] = selectors[offset].sorted() }
                }
            }
        }
        return results
    }

    /// Top-n for one chunk with its item blocks spread over `threads` workers, each taking a contiguous run of
    /// whole blocks and keeping its own top-n per user; the lists are then merged (the ranges are disjoint).
    private func scoreChunkSplittingItems(_ chunk: PackedChunk, n: Int) -> [[ScoredItem]] {
        let workers = min(threads, blockCount)
        var partial = [[[ScoredItem]]](repeating: [], count: workers)  // [worker][local user][*]
        partial.withUnsafeMutableBufferPointer { buffer in
            let slots = WorkerSlots(base: buffer.baseAddress!)
            Parallel.run(workers: workers) { worker in
                let blocks = Parallel.chunkRange(worker, of: workers, count: blockCount)
                slots.base[worker] = scoreBlocks(chunk, blocks: blocks, n: n).map { $0.sorted() }
            }
        }
        return (0..<chunk.users.count).map { local in
            TopKSelector.mergeDisjoint(partial.map { $0[local] }, n: n)
        }
    }
}
