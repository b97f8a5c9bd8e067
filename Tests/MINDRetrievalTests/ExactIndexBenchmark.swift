import Foundation
import MINDCore
import Testing
@testable import MINDRetrieval

/// Wall time of `ExactIndex` on one and two workers; run with
/// `MIND_BENCH=1 swift test -c release --scratch-path .build-eval --filter exactIndexParallelBenchmark`.
/// The reference measured in the same run is one worker (one core for GEMM and scan).
@Test(.enabled(if: ProcessInfo.processInfo.environment["MIND_BENCH"] != nil))
func exactIndexParallelBenchmark() {
    let users = 6000, interestCount = 4, dimension = 64, n = 100
    for itemCount in [3700, 100_000] {
        var problem = RandomProblem(
            itemCount: itemCount, userCount: users, interestCount: interestCount, dimension: dimension,
            integral: false, excludePerUser: 50, seed: 1)
        problem.interests = InterestBatch(
            count: users, interestCount: interestCount, dimension: dimension, vectors: problem.interests.vectors,
            mask: [Bool](repeating: true, count: users * interestCount))
        let configurations: [(String, Int, Int)] = [
            ("one worker, chunk 64 (reference)", 1, 64),
            ("two workers, chunk 64", 2, 64),
            ("two workers, chunk 128", 2, 128),
        ]
        var reference = 0.0
        BLAS.setThreadCount(1)  // as the mind executable runs it
        for (name, threads, chunk) in configurations {
            let index = ExactIndex(items: problem.items, userChunkSize: chunk, threads: threads)
            let seconds = fastest { _ = index.recommend(interests: problem.interests, n: n, exclude: problem.exclude) }
            if reference == 0 { reference = seconds }
            print(String(format: "items %6d: %-34@ %.3f s, speed-up %.2fx", itemCount, name as NSString, seconds, reference / seconds))
        }
    }
}

/// The fastest of three runs: the machine is shared, and the minimum is the least disturbed.
private func fastest(_ body: () -> Void) -> Double {
    (0..<3).map { _ in
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }.min()!
}
