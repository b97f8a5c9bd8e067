import Foundation
import MINDCore
import Testing
@testable import MINDRetrieval

/// Timings behind `ExactIndex`'s defaults; run with
/// `MIND_BENCH=1 swift test -c release --scratch-path .build-eval --filter ExactIndexBenchmark`.
@Test(.enabled(if: ProcessInfo.processInfo.environment["MIND_BENCH"] != nil))
func exactIndexBenchmark() {
    let users = 6000, interestCount = 4, dimension = 64, n = 100
    for itemCount in [3700, 100_000] {
        let problem = RandomProblem(
            itemCount: itemCount, userCount: users, interestCount: interestCount, dimension: dimension,
            integral: false, excludePerUser: 50, seed: 1)
        // Reference: the bare GEMM of every interest row against the whole catalogue, OpenBLAS on 2 threads.
        let rows = users * interestCount
        let block = 4096
        var output = [Float](repeating: 0, count: rows * block)
        BLAS.setThreadCount(2)
        let gemm = time {
            for start in stride(from: 0, to: itemCount, by: block) {
                let width = min(block, itemCount - start)
                problem.interests.vectors.withUnsafeBufferPointer { a in
                    problem.items.storage.withUnsafeBufferPointer { b in
                        output.withUnsafeMutableBufferPointer { c in
                            BLAS.sgemm(
                                transposeA: false, transposeB: true, m: rows, n: width, k: dimension,
                                a: a.baseAddress!, lda: dimension, b: b.baseAddress! + start * dimension, ldb: dimension,
                                c: c.baseAddress!, ldc: width)
                        }
                    }
                }
            }
        }
        print("items \(itemCount): bare GEMM (BLAS 2 threads) \(format(gemm)) s")
        let configurations: [(String, ExactIndex.Parallelism, Int, Int?)] = [
            ("blasThreads chunk 64", .blasThreads, 64, nil),
            ("blasThreads chunk 256", .blasThreads, 256, nil),
            ("userChunks(2) chunk 32", .userChunks(workers: 2), 32, nil),
            ("userChunks(2) chunk 64", .userChunks(workers: 2), 64, nil),
            ("userChunks(2) chunk 128", .userChunks(workers: 2), 128, nil),
            ("userChunks(2) chunk 64 block 256", .userChunks(workers: 2), 64, 256),
            ("userChunks(2) chunk 64 block 2048", .userChunks(workers: 2), 64, 2048),
            ("userChunks(1) chunk 64", .userChunks(workers: 1), 64, nil),
        ]
        for (name, parallelism, chunk, block) in configurations {
            let index = ExactIndex(items: problem.items, itemBlockSize: block, userChunkSize: chunk, parallelism: parallelism)
            var result: [[ScoredItem]] = []
            let seconds = time { result = index.recommend(interests: problem.interests, n: n, exclude: problem.exclude) }
            print("items \(itemCount): \(name) (block \(index.itemBlockSize)) \(format(seconds)) s, ratio to GEMM \(format(seconds / gemm))")
            #expect(result.count == users)
        }
    }
}

private func time(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

private func format(_ value: Double) -> String { String(format: "%.3f", value) }
