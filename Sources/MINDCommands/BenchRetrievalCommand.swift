import ArgumentParser
import Dispatch
import Foundation
import MINDCore
import MINDRetrieval

/// `mind bench retrieval`: exact top-n over a synthetic catalogue, one request at a time and in batches, beside the
/// memory-read bandwidth of the item matrix (the floor one pass cannot beat). Prints JSON lines; with
/// `--data-directory` it also writes the matrix and queries as raw float32 for `benchmarks/reference/faiss_exact.py`.
struct RetrievalBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Exact retrieval latency and throughput against the memory bandwidth floor (prints JSON lines).")

    @Option(help: "Items in the synthetic catalogue.") var items: Int = 1_000_000
    @Option(help: "Vector dimension d.") var dimension: Int = 64
    @Option(help: "Interests per user K (all active).") var interests: Int = 4
    @Option(help: "Results per request.") var n: Int = 1000
    @Option(help: "Single-user requests timed per thread count.") var requests: Int = 200
    @Option(help: "Users per batch for the throughput run.") var batchSize: Int = 128
    @Option(help: "Batches timed per thread count.") var batches: Int = 3
    @Option(help: "Thread counts to measure, comma-separated.") var threads: String = "1,2"
    @Option(help: "Items per GEMM block (default: the index's own choice).") var itemBlockSize: Int?
    @Option(help: "Seed of the synthetic vectors.") var seed: UInt64 = 1
    @Option(help: "Directory to write items.f32, requests.f32, batch.f32 and requests-top.i32 into (optional).")
    var dataDirectory: String?

    /// The parsed `--threads` list.
    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard items > 0, dimension > 0, interests > 0 else { throw ValidationError("--items, --dimension and --interests must be positive") }
        guard n > 0, requests > 0, batchSize > 0, batches > 0 else { throw ValidationError("--n, --requests, --batch-size and --batches must be positive") }
        let counts = threadCounts
        guard !counts.isEmpty, counts.count == threads.split(separator: ",").count, counts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--threads must be a comma-separated list of positive integers")
        }
        if let size = itemBlockSize, size <= 0 { throw ValidationError("--item-block-size must be positive") }
    }

    func run() throws {
        var generator = SeededGenerator(seed: seed)
        let catalogue = ItemMatrix(
            count: items, dimension: dimension,
            storage: Tensor.randomNormal([items * dimension], standardDeviation: 1, using: &generator).storage)  // [items, d]
        let requestBatch = allActive(Tensor.randomNormal([requests * interests * dimension], standardDeviation: 1, using: &generator).storage, users: requests)
        let throughputBatch = allActive(Tensor.randomNormal([batchSize * interests * dimension], standardDeviation: 1, using: &generator).storage, users: batchSize)
        let environment = ProcessInfo.processInfo.environment
        printJSON(["kind": "environment", "openblas_core": BLAS.coreName, "openblas_threads": BLAS.threadCount,
                   "OPENBLAS_CORETYPE": environment["OPENBLAS_CORETYPE"] ?? "", "OPENBLAS_L2_SIZE": environment["OPENBLAS_L2_SIZE"] ?? "",
                   "items": items, "dimension": dimension, "interests": interests, "n": n, "matrix_megabytes": Double(items * dimension * 4) / 1e6,
                   "item_block_size": ExactIndex(items: catalogue, itemBlockSize: itemBlockSize).itemBlockSize])

        for threadCount in threadCounts {
            let passes = (0..<10).map { _ in timeSeconds { _ = Self.sum(catalogue.storage, threads: threadCount) } }.sorted()
            printJSON(["kind": "bandwidth", "threads": threadCount, "pass_ms_best": passes[0] * 1e3, "pass_ms_median": passes[5] * 1e3,
                       "gigabytes_per_second_best": Double(items * dimension * 4) / passes[0] / 1e9])
        }
        var firstResults = [[ScoredItem]]()
        for threadCount in threadCounts {
            let index = ExactIndex(items: catalogue, itemBlockSize: itemBlockSize, threads: threadCount)
            _ = index.recommend(interests: requestBatch.slice(0..<1), n: n, exclude: [])  // warm-up
            var latencies = [Double]()
            for request in 0..<requests {
                let user = requestBatch.slice(request..<(request + 1))
                var result = [[ScoredItem]]()
                latencies.append(timeSeconds { result = index.recommend(interests: user, n: n, exclude: []) })
                if firstResults.count < min(requests, 5) { firstResults.append(result[0]) }
            }
            latencies.sort()
            printJSON(["kind": "single_request", "threads": threadCount, "requests": requests,
                       "p50_ms": percentile(latencies, 0.5) * 1e3, "p99_ms": percentile(latencies, 0.99) * 1e3,
                       "best_ms": latencies[0] * 1e3, "mean_ms": latencies.reduce(0, +) / Double(requests) * 1e3])
            var batchSeconds = [Double]()
            for _ in 0..<batches {
                batchSeconds.append(timeSeconds { _ = index.recommend(interests: throughputBatch, n: n, exclude: []) })
            }
            printJSON(["kind": "batch", "threads": threadCount, "batch_size": batchSize, "batches": batches,
                       "users_per_second": Double(batchSize * batches) / batchSeconds.reduce(0, +),
                       "users_per_second_best_batch": Double(batchSize) / batchSeconds.min()!])
        }
        if let directory = dataDirectory {
            try write(catalogue: catalogue, requests: requestBatch, batch: throughputBatch, firstResults: firstResults, to: directory)
        }
    }

    /// Users with all `interests` slots active.
    private func allActive(_ vectors: [Float], users: Int) -> InterestBatch {
        InterestBatch(count: users, interestCount: interests, dimension: dimension, vectors: vectors,
                      mask: [Bool](repeating: true, count: users * interests))
    }

    /// Raw little-endian files for the faiss reference: the same matrix, queries and our first results.
    private func write(catalogue: ItemMatrix, requests: InterestBatch, batch: InterestBatch, firstResults: [[ScoredItem]], to directory: String) throws {
        let folder = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func save<T>(_ values: [T], _ name: String) throws {
            try values.withUnsafeBytes { try Data($0).write(to: folder.appendingPathComponent(name), options: .atomic) }
        }
        try save(catalogue.storage, "items.f32")  // [items, d]
        try save(requests.vectors, "requests.f32")  // [requests, K, d]
        try save(batch.vectors, "batch.f32")  // [batchSize, K, d]
        try save(firstResults.flatMap { $0.map(\.item) }, "requests-top.i32")  // [up to 5, n]
        let shape: [String: Any] = ["items": items, "dimension": dimension, "interests": interests, "n": n,
                                    "requests": requests.count, "batch_size": batch.count, "top_requests": firstResults.count]
        try JSONSerialization.data(withJSONObject: shape, options: [.sortedKeys]).write(to: folder.appendingPathComponent("shape.json"), options: .atomic)
    }

    /// Sum of `values` read once, split over `threads` contiguous ranges: the plain read bandwidth of the matrix.
    static func sum(_ values: [Float], threads: Int) -> Float {
        var partial = [Float](repeating: 0, count: threads)
        values.withUnsafeBufferPointer { buffer in
            partial.withUnsafeMutableBufferPointer { sums in
                let out = SumSlots(base: sums.baseAddress!)
                Parallel.run(workers: threads) { worker in
                    let range = Parallel.chunkRange(worker, of: threads, count: buffer.count / 64)
                    // Four independent 16-lane accumulators so the adds never wait on each other.
                    var a = SIMD16<Float>(), b = SIMD16<Float>(), c = SIMD16<Float>(), d = SIMD16<Float>()
                    let base = UnsafeRawPointer(buffer.baseAddress!)
                    for line in range {
                        let p = base + line * 256
                        a += p.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self)
                        b += p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                        c += p.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
                        d += p.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
                    }
                    out.base[worker] = (a + b + c + d).sum()
                }
            }
        }
        return partial.reduce(0, +)
    }
}

/// Per-worker sums written by disjoint workers.
private struct SumSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
}

/// Wall seconds of one call of `body`.
private func timeSeconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The nearest-rank percentile of ascending `sorted`.
private func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    sorted[max(0, min(sorted.count - 1, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))]
}
