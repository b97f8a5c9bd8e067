import CHNSW
import Foundation
import MINDCore

/// The space an HNSW graph is built in. Both give the items of largest inner product; they differ in how well
/// the graph's greedy search finds them.
public enum HNSWSpace: String, Codable, CaseIterable, Sendable {
    /// hnswlib's inner-product space: distance 1 - <q, x>, not a metric.
    case innerProduct = "inner-product"
    /// Maximum inner product reduced to nearest neighbours in Euclidean space (Bachrach et al. 2014): each item
    /// gets one more coordinate sqrt(M^2 - |x|^2), M the largest item norm, and a query a 0; then
    /// |q' - x'|^2 = |q|^2 + M^2 - 2 <q, x>, so the nearest items are the ones of largest inner product, and
    /// the graph is built in a metric space, where HNSW's neighbour heuristics hold.
    case euclidean
}

/// The parameters of an HNSW graph (Malkov & Yashunin): `m` links per node, `efConstruction` candidates while
/// building, `ef` candidates while searching (raised to the number of results asked for), the seed of the
/// level draws, and the space the graph lives in.
public struct HNSWParameters: Codable, Equatable, Sendable {
    public var m: Int
    public var efConstruction: Int
    public var ef: Int
    public var seed: Int
    public var space: HNSWSpace

    /// m = 32, ef-construction 200, ef 256. Inner-product search needs more links than hnswlib's usual m = 16:
    /// on 6,000 clustered items (d = 32) recall@100 against exact was 0.955 at m 16 / ef 200, 0.987 at
    /// m 16 / ef 400 and 0.992 at m 32 / ef 200 (BENCHMARKS.md); the tests hold the default to >= 0.99.
    public init(m: Int = 32, efConstruction: Int = 200, ef: Int = 256, seed: Int = 100, space: HNSWSpace = .euclidean) {
        self.m = m
        self.efConstruction = efConstruction
        self.ef = ef
        self.seed = seed
        self.space = space
    }

    /// The parameter out of range, if any, with the range allowed.
    public var problem: String? {
        if !(2...512).contains(m) { return "hnsw m must be in 2...512, not \(m)" }
        if !(1...10_000).contains(efConstruction) { return "hnsw ef-construction must be in 1...10000, not \(efConstruction)" }
        if !(1...100_000).contains(ef) { return "hnsw ef must be in 1...100000, not \(ef)" }
        if seed < 0 { return "hnsw seed must be >= 0, not \(seed)" }
        return nil
    }
}

/// Problems building, saving or loading an HNSW index.
public enum HNSWError: Error, CustomStringConvertible, Equatable {
    case invalidParameters(String)
    case library(String)
    case countMismatch(path: String, graph: Int, items: Int)

    public var description: String {
        switch self {
        case .invalidParameters(let problem): return problem
        case .library(let message): return "hnswlib: \(message)"
        case .countMismatch(let path, let graph, let items): return "\(path): the HNSW graph holds \(graph) items, the model \(items)"
        }
    }
}

/// Approximate top-n by inner product through an hnswlib graph over the item matrix.
///
/// hnswlib 0.6.2 has no filter, so a query asks for n plus the number of its excluded items and drops those;
/// the cost grows with the history (a 50-item history asks for n + 50). The candidates are then re-scored
/// exactly against the item matrix, so scores are true inner products and ties rank as in `ExactIndex`.
/// Immutable once built; concurrent searches are safe (hnswlib's search only reads the graph).
public final class HNSWIndex: VectorIndex, @unchecked Sendable {
    /// The catalogue (also used to re-score candidates exactly).
    public let items: ItemMatrix
    public let parameters: HNSWParameters
    /// Workers a batch of queries is spread over; answers do not depend on it.
    public let threads: Int
    private let handle: OpaquePointer
    /// Length of the vectors in the graph: d, or d + 1 in the Euclidean reduction.
    private let graphDimension: Int
    /// The largest item norm M of the Euclidean reduction (0 in inner-product space).
    private let largestNorm: Float

    public var count: Int { items.count }
    public var dimension: Int { items.dimension }

    /// Builds a graph over `items` on `threads` workers. With one thread the graph is the same on every run;
    /// with more, insertion order (and so the graph, not its recall) depends on scheduling.
    public init(items: ItemMatrix, parameters: HNSWParameters = HNSWParameters(), threads: Int = 1) throws {
        if let problem = parameters.problem { throw HNSWError.invalidParameters(problem) }
        precondition(threads > 0, "An HNSW index needs at least one thread.")
        var message = [CChar](repeating: 0, count: 512)
        let graphDimension = Self.graphDimension(items.dimension, parameters.space)
        guard let handle = chnsw_create(Int32(graphDimension), Self.spaceCode(parameters.space), max(items.count, 1), parameters.m,
                                        parameters.efConstruction, parameters.seed, &message, message.count) else {
            throw HNSWError.library(String(cString: message))
        }
        self.handle = handle
        self.items = items
        self.parameters = parameters
        self.threads = threads
        self.graphDimension = graphDimension
        largestNorm = parameters.space == .euclidean ? Self.largestNorm(of: items) : 0
        chnsw_set_ef(handle, parameters.ef)
        let failures = items.storage.withUnsafeBufferPointer { vectors -> [String] in
            // The first item alone, so the graph has an entry point before the workers start.
            var failed: [String?] = [String?](repeating: nil, count: threads)
            if items.count > 0, let problem = add(0, from: vectors.baseAddress!) { return [problem] }
            failed.withUnsafeMutableBufferPointer { slots in
                let slots = slots
                Parallel.run(workers: min(threads, max(items.count - 1, 1))) { worker in
                    for item in stride(from: 1 + worker, to: items.count, by: min(threads, max(items.count - 1, 1))) {
                        if let problem = add(item, from: vectors.baseAddress!) { slots[worker] = problem; return }
                    }
                }
            }
            return failed.compactMap { $0 }
        }
        if let first = failures.first { throw HNSWError.library(first) }
    }

    /// Loads a graph saved by `save(to:)` for these `items` (the caller checks that they are the ones it was built on).
    public init(loading url: URL, items: ItemMatrix, parameters: HNSWParameters, threads: Int = 1) throws {
        if let problem = parameters.problem { throw HNSWError.invalidParameters(problem) }
        var message = [CChar](repeating: 0, count: 512)
        let graphDimension = Self.graphDimension(items.dimension, parameters.space)
        guard let handle = chnsw_load(url.path, Int32(graphDimension), Self.spaceCode(parameters.space), &message, message.count) else {
            throw HNSWError.library("\(url.path): \(String(cString: message))")
        }
        let graphCount = chnsw_count(handle)
        guard graphCount == items.count else {
            chnsw_free(handle)
            throw HNSWError.countMismatch(path: url.path, graph: graphCount, items: items.count)
        }
        chnsw_set_ef(handle, parameters.ef)
        self.handle = handle
        self.items = items
        self.parameters = parameters
        self.threads = threads
        self.graphDimension = graphDimension
        largestNorm = parameters.space == .euclidean ? Self.largestNorm(of: items) : 0
    }

    private static func graphDimension(_ dimension: Int, _ space: HNSWSpace) -> Int { space == .euclidean ? dimension + 1 : dimension }

    private static func spaceCode(_ space: HNSWSpace) -> Int32 {
        Int32(space == .euclidean ? CHNSW_EUCLIDEAN : CHNSW_INNER_PRODUCT)
    }

    private static func largestNorm(of items: ItemMatrix) -> Float {
        var largest: Float = 0
        for item in 0..<items.count { largest = max(largest, squaredNorm(items.storage, from: item * items.dimension, count: items.dimension)) }
        return largest.squareRoot()
    }

    private static func squaredNorm(_ values: [Float], from start: Int, count: Int) -> Float {
        var sum: Float = 0
        for x in start..<(start + count) { sum += values[x] * values[x] }
        return sum
    }

    deinit { chnsw_free(handle) }

    /// Writes the graph (with its copy of the vectors) to `url`.
    public func save(to url: URL) throws {
        var message = [CChar](repeating: 0, count: 512)
        guard chnsw_save(handle, url.path, &message, message.count) == 0 else {
            throw HNSWError.library("\(url.path): \(String(cString: message))")
        }
    }

    private func add(_ item: Int, from vectors: UnsafePointer<Float>) -> String? {
        var message = [CChar](repeating: 0, count: 256)
        let row = vectors + item * items.dimension
        guard parameters.space == .euclidean else {
            return chnsw_add(handle, row, item, &message, message.count) == 0 ? nil : String(cString: message)
        }
        // [x, sqrt(M^2 - |x|^2)]: every item at distance M from the origin, one coordinate higher.
        var augmented = [Float](UnsafeBufferPointer(start: row, count: items.dimension))
        let squared = augmented.reduce(Float(0)) { $0 + $1 * $1 }
        augmented.append(max(0, largestNorm * largestNorm - squared).squareRoot())
        return chnsw_add(handle, augmented, item, &message, message.count) == 0 ? nil : String(cString: message)
    }

    public func search(queries: [Float], queryCount: Int, n: Int, exclude: [[Int32]]) -> [[ScoredItem]] {
        precondition(queries.count == queryCount * dimension, "Queries must be [queryCount, dimension].")
        precondition(exclude.isEmpty || exclude.count == queryCount, "Give one exclusion list per query, or none.")
        var results = [[ScoredItem]](repeating: [], count: queryCount)
        guard n > 0, count > 0 else { return results }
        let workers = min(threads, queryCount)
        results.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            queries.withUnsafeBufferPointer { queryVectors in
                Parallel.run(workers: workers) { worker in
                    for query in stride(from: worker, to: queryCount, by: workers) {
                        slots[query] = searchOne(queryVectors.baseAddress! + query * dimension, n: n,
                                                 exclude: exclude.isEmpty ? [] : exclude[query])
                    }
                }
            }
        }
        return results
    }

    /// One query: over-fetch by the excluded items that exist, drop them, re-score exactly, best first.
    private func searchOne(_ query: UnsafePointer<Float>, n: Int, exclude: [Int32]) -> [ScoredItem] {
        let excluded = Set(exclude.filter { $0 >= 0 && Int($0) < count })
        let k = min(count, n + excluded.count)
        var labels = [UInt64](repeating: 0, count: k)
        var distances = [Float](repeating: 0, count: k)
        var message = [CChar](repeating: 0, count: 256)
        var graphQuery = [Float](UnsafeBufferPointer(start: query, count: dimension))
        if graphDimension > dimension { graphQuery.append(0) }  // [q, 0] in the Euclidean reduction
        let found = chnsw_search(handle, graphQuery, k, &labels, &distances, &message, message.count)
        // A search fails only on a damaged graph, and graphs are checked against their checksum before loading.
        precondition(found >= 0, "hnswlib search failed: \(String(cString: message))")
        var scored: [ScoredItem] = []
        scored.reserveCapacity(Int(found))
        items.storage.withUnsafeBufferPointer { vectors in
            for label in labels.prefix(Int(found)) where !excluded.contains(Int32(label)) {
                let row = vectors.baseAddress! + Int(label) * dimension
                var score: Float = 0
                for x in 0..<dimension { score += query[x] * row[x] }
                scored.append(ScoredItem(item: Int32(label), score: score, interest: 0))
            }
        }
        scored.sort(by: ScoredItem.ranksBefore)
        if scored.count > n { scored.removeLast(scored.count - n) }
        return scored
    }
}
