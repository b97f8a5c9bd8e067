import Foundation
import MINDCore
import Testing
@testable import MINDRetrieval

/// Thread CPU time, which a shared machine disturbs far less than wall time.
func threadSeconds(_ body: () -> Void) -> Double {
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start)
    body()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end)
    return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
}

/// One core: how the index's time splits between GEMM and the top-k scan. Run with MIND_BENCH=1 in release;
/// MIND_BENCH_ITEMS sets the catalogue size (default 100,000).
@Test(.enabled(if: ProcessInfo.processInfo.environment["MIND_BENCH"] != nil))
func exactIndexSingleCoreProfile() {
    let users = 1000, interestCount = 4, dimension = 64
    let itemCount = Int(ProcessInfo.processInfo.environment["MIND_BENCH_ITEMS"] ?? "") ?? 100_000
    var problem = RandomProblem(
        itemCount: itemCount, userCount: users, interestCount: interestCount, dimension: dimension,
        integral: false, excludePerUser: 50, seed: 1)
    problem.interests = InterestBatch(
        count: users, interestCount: interestCount, dimension: dimension, vectors: problem.interests.vectors,
        mask: [Bool](repeating: true, count: users * interestCount))
    BLAS.setThreadCount(1)
    for block in [512] {
        let rows = 64 * interestCount
        var output = [Float](repeating: 0, count: rows * block)
        let gemm = threadSeconds {
            for chunk in 0..<((users + 63) / 64) {
                let chunkRows = min(rows, (users - chunk * 64) * interestCount)
                for start in stride(from: 0, to: itemCount, by: block) {
                    let width = min(block, itemCount - start)
                    problem.interests.vectors.withUnsafeBufferPointer { a in
                        problem.items.storage.withUnsafeBufferPointer { b in
                            output.withUnsafeMutableBufferPointer { c in
                                BLAS.sgemm(
                                    transposeA: false, transposeB: true, m: chunkRows, n: width, k: dimension,
                                    a: a.baseAddress! + chunk * rows * dimension, lda: dimension,
                                    b: b.baseAddress! + start * dimension, ldb: dimension, c: c.baseAddress!, ldc: width)
                            }
                        }
                    }
                }
            }
        }
        print("profile block \(block): GEMM alone (64-user chunks) \(String(format: "%.3f", gemm)) s CPU")
        for chunk in [16, 32, 64, 128] {
            let index = ExactIndex(
                items: problem.items, itemBlockSize: block, userChunkSize: chunk, threads: 1)
            let whole = threadSeconds { _ = index.recommend(interests: problem.interests, n: 100, exclude: problem.exclude) }
            print("profile block \(block) chunk \(chunk): index \(String(format: "%.3f", whole)) s CPU")
        }
    }
    BLAS.setThreadCount(2)
}
