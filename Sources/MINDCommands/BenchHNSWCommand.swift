import ArgumentParser
import Dispatch
import Foundation
import MINDCore
import MINDRetrieval
#if canImport(Glibc)
import Glibc
#endif

/// `mind bench hnsw`: build time, memory, single-request latency and recall of the HNSW index against the
/// exact index on a large synthetic catalogue; optionally writes the vectors for the PyPI hnswlib reference.
struct HNSWBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hnsw",
        abstract: "HNSW against exact retrieval on synthetic clustered items (prints JSON lines).")

    @Option(help: "Items in the catalogue.") var items: Int = 1_000_000
    @Option(help: "Vector dimension d.") var dimension: Int = 64
    @Option(help: "Clusters the items are drawn around.") var clusters: Int = 1000
    @Option(help: "Interests per request (K).") var interests: Int = 4
    @Option(help: "Items returned per request.") var top: Int = 1000
    @Option(help: "History items excluded per request.") var history: Int = 50
    @Option(help: "Timed single requests per index.") var requests: Int = 200
    @Option(help: "Threads for building and for each request.") var threads: Int = Parallel.availableCores
    @Option(name: .customLong("hnsw-m"), help: "HNSW links per node.") var m: Int = 16
    @Option(name: .customLong("hnsw-ef-construction"), help: "HNSW candidates while building.") var efConstruction: Int = 100
    @Option(name: .customLong("hnsw-ef"), help: "HNSW candidates while searching (raised to top + history).") var ef: Int = 256
    @Option(name: .customLong("hnsw-space"), help: "euclidean or inner-product.") var space: HNSWSpace = .euclidean
    @Option(help: "Directory to write items.f32, queries.f32, exclude.i32 and exact.i32 (top ids) for the reference script.")
    var writeVectors: String?

    func validate() throws {
        guard items > 0, dimension > 0, clusters > 0, interests > 0, top > 0, history >= 0, requests > 0, threads > 0 else {
            throw ValidationError("every size must be positive")
        }
        if let problem = HNSWParameters(m: m, efConstruction: efConstruction, ef: ef, space: space).problem { throw ValidationError(problem) }
    }

    func run() throws {
        var random = SeededGenerator(seed: 7)
        let centres = (0..<(clusters * dimension)).map { _ in random.nextNormal() }
        var storage = [Float](repeating: 0, count: items * dimension)
        for item in 0..<items {
            let centre = random.nextInt(below: clusters) * dimension
            for x in 0..<dimension { storage[item * dimension + x] = centres[centre + x] + 0.5 * random.nextNormal() }
        }
        let matrix = ItemMatrix(count: items, dimension: dimension, storage: storage)
        storage = []
        // A request: K interests near random centres, a history of random items to exclude.
        let queries = (0..<(requests * interests)).map { _ -> [Float] in
            let centre = random.nextInt(below: clusters) * dimension
            return (0..<dimension).map { centres[centre + $0] + 0.3 * random.nextNormal() }
        }
        let exclusions = (0..<requests).map { _ in (0..<history).map { _ in Int32(random.nextInt(below: items)) } }
        func batch(_ request: Int) -> InterestBatch {
            InterestBatch(count: 1, interestCount: interests, dimension: dimension,
                          vectors: queries[(request * interests)..<((request + 1) * interests)].flatMap { $0 },
                          mask: [Bool](repeating: true, count: interests))
        }
        let exact = ExactIndex(items: matrix, threads: threads)
        let rssBefore = residentMiB()
        let buildStart = DispatchTime.now().uptimeNanoseconds
        let graph = try HNSWIndex(items: matrix, parameters: HNSWParameters(m: m, efConstruction: efConstruction, ef: ef, space: space), threads: threads)
        let buildSeconds = Double(DispatchTime.now().uptimeNanoseconds - buildStart) / 1e9
        let graphMiB = residentMiB() - rssBefore
        printJSON(["kind": "environment", "cpu": cpuName(), "openblas_core": BLAS.coreName, "threads": threads, "items": items,
                   "dimension": dimension, "interests": interests, "top": top, "history": history])
        printJSON(["kind": "hnsw_build", "m": m, "ef_construction": efConstruction, "space": space.rawValue, "seconds": buildSeconds,
                   "resident_mib_added": graphMiB, "threads": threads])

        var truth: [[ScoredItem]] = []
        for (name, index) in [("exact", exact as any VectorIndex), ("hnsw", graph as any VectorIndex)] {
            var latencies: [Double] = []
            var hits = 0
            for request in 0..<requests {
                let start = DispatchTime.now().uptimeNanoseconds
                let answer = index.recommend(interests: batch(request), n: top, exclude: [exclusions[request]])[0]
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                if name == "exact" { truth.append(answer) } else {
                    hits += Set(truth[request].map(\.item)).intersection(answer.map(\.item)).count
                }
            }
            latencies.sort()
            var line: [String: Any] = [
                "kind": "retrieval", "index": name, "requests": requests, "p50_ms": latencies[latencies.count / 2],
                "p99_ms": latencies[min(latencies.count - 1, latencies.count * 99 / 100)],
                "requests_per_second": Double(requests) / (latencies.reduce(0, +) / 1000),
            ]
            if name == "hnsw" { line["recall_at_top_vs_exact"] = Double(hits) / Double(requests * top); line["ef"] = ef }
            printJSON(line)
        }
        if let writeVectors { try write(to: URL(fileURLWithPath: writeVectors), matrix: matrix, queries: queries, exclusions: exclusions, truth: truth) }
    }

    /// Raw little-endian files for benchmarks/reference/hnswlib_reference.py.
    private func write(to directory: URL, matrix: ItemMatrix, queries: [[Float]], exclusions: [[Int32]], truth: [[ScoredItem]]) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try matrix.storage.withUnsafeBytes { try Data($0).write(to: directory.appendingPathComponent("items.f32")) }
        try queries.flatMap { $0 }.withUnsafeBytes { try Data($0).write(to: directory.appendingPathComponent("queries.f32")) }
        try exclusions.flatMap { $0 }.withUnsafeBytes { try Data($0).write(to: directory.appendingPathComponent("exclude.i32")) }
        let ids = truth.flatMap { answer in answer.map(\.item) + [Int32](repeating: -1, count: top - answer.count) }
        try ids.withUnsafeBytes { try Data($0).write(to: directory.appendingPathComponent("exact.i32")) }
    }

    private func residentMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib / 1024
    }

    private func cpuName() -> String {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }
}
