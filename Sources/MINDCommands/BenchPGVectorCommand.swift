import ArgumentParser
import Dispatch
import Foundation
import MINDCore
import MINDPostgres
import MINDRetrieval

/// `mind bench pgvector`: load synthetic items into PostgreSQL, then time one multi-interest request on pgvector's
/// HNSW index beside `ExactIndex` on the same vectors, in the same run.
struct PGVectorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgvector",
        abstract: "Load time, and latency p50/p99 of one request (K interest queries, top N) on pgvector against the exact index (prints a JSON line).")

    @Option(help: "PostgreSQL URL: postgres://user:password@host:port/database.") var database: String
    @Option(help: "Table to (re)create for the benchmark.") var table: String = "mind_bench_items"
    @Option(help: "Synthetic items.") var items: Int = 100_000
    @Option(help: "Vector length.") var dimension: Int = 64
    @Option(help: "Items per request (top N).") var top: Int = 1000
    @Option(help: "Interest queries per request.") var interests: Int = 4
    @Option(help: "Timed requests.") var requests: Int = 100
    @Option(help: "Clusters the items are drawn around.") var clusters: Int = 256
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(name: .customLong("hnsw-m"), help: "HNSW links per node.") var hnswM: Int = 16
    @Option(name: .customLong("hnsw-ef-construction"), help: "HNSW build candidate list.") var hnswEfConstruction: Int = 64
    @Flag(help: "Reuse the table a previous run loaded (same --items, --dimension, --clusters, --seed).") var skipLoad = false

    func validate() throws {
        guard items > 0, dimension > 0, top > 0, interests > 0, requests > 0, clusters > 0 else {
            throw ValidationError("--items, --dimension, --top, --interests, --requests and --clusters must be positive")
        }
    }

    func run() throws {
        do {
            var generator = SeededGenerator(seed: seed)
            // Items around cluster centres (embeddings of a trained model cluster by topic); interests near a centre.
            let centres = (0..<(clusters * dimension)).map { _ in generator.nextNormal() }
            func nearCentre(_ generator: inout SeededGenerator) -> [Float] {
                let centre = generator.nextInt(below: clusters) * dimension
                return (0..<dimension).map { centres[centre + $0] + 0.5 * generator.nextNormal() }
            }
            var storage = [Float]()
            storage.reserveCapacity(items * dimension)
            for _ in 0..<items { storage += nearCentre(&generator) }
            let matrix = ItemMatrix(count: items, dimension: dimension, storage: storage)
            var report: [String: Any] = [
                "kind": "pgvector", "items": items, "dimension": dimension, "top": top, "interests": interests,
                "requests": requests, "hnsw_m": hnswM, "hnsw_ef_construction": hnswEfConstruction,
            ]
            if !skipLoad {
                let store = try PGVectorStore(url: database, table: table)
                let load = try store.writeBlocking(
                    items: matrix, ids: (0..<items).map { "item-\($0)" },
                    hnsw: HNSWBuildSettings(m: hnswM, efConstruction: hnswEfConstruction))
                report["load_copy_seconds"] = load.copySeconds
                report["load_index_seconds"] = load.indexSeconds
                report["load_total_seconds"] = load.totalSeconds
            }
            let pgvector = try PGVectorIndex(url: database, table: table)
            try pgvector.check(matches: matrix)
            let exact = ExactIndex(items: matrix, threads: 1)
            let batches = (0..<requests).map { _ in
                InterestBatch(count: 1, interestCount: interests, dimension: dimension,
                              vectors: (0..<interests).flatMap { _ in nearCentre(&generator) },
                              mask: [Bool](repeating: true, count: interests))
            }
            // One untimed request each: connection, plan and page caches, BLAS start-up.
            _ = pgvector.recommend(interests: batches[0], n: top, exclude: [])
            _ = exact.recommend(interests: batches[0], n: top, exclude: [])
            var pgvectorSeconds = [Double](), exactSeconds = [Double](), recall = [Double]()
            for batch in batches {
                let (approximate, approximateTime) = timed { pgvector.recommend(interests: batch, n: top, exclude: []) }
                let (truth, exactTime) = timed { exact.recommend(interests: batch, n: top, exclude: []) }
                pgvectorSeconds.append(approximateTime)
                exactSeconds.append(exactTime)
                recall.append(Double(Set(approximate[0].map(\.item)).intersection(truth[0].map(\.item)).count) / Double(truth[0].count))
            }
            if let failure = pgvector.failure { throw failure }
            report["pgvector_p50_ms"] = percentile(pgvectorSeconds, 0.5) * 1000
            report["pgvector_p99_ms"] = percentile(pgvectorSeconds, 0.99) * 1000
            report["exact_p50_ms"] = percentile(exactSeconds, 0.5) * 1000
            report["exact_p99_ms"] = percentile(exactSeconds, 0.99) * 1000
            report["pgvector_recall_vs_exact"] = recall.reduce(0, +) / Double(recall.count)
            report["ef_search"] = min(PGVectorIndex.maximumEfSearch, max(top, PGVectorIndex.minimumEfSearch))
            printJSON(report)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError.report(error)
        }
    }

    private func timed<Value>(_ body: () -> Value) -> (Value, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = body()
        return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// The `fraction` quantile by the nearest-rank method.
    private func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
