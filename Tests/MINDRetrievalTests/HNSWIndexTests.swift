import Foundation
import MINDCore
import Testing
@testable import MINDRetrieval

/// Items in clusters around random centres, as trained item embeddings are; queries near the centres.
private func clusteredItems(count: Int, dimension: Int, clusters: Int, seed: UInt64) -> (ItemMatrix, [[Float]]) {
    var random = SeededGenerator(seed: seed)
    let centres = (0..<clusters).map { _ in (0..<dimension).map { _ in random.nextNormal() } }
    var storage: [Float] = []
    storage.reserveCapacity(count * dimension)
    for _ in 0..<count {
        let centre = centres[random.nextInt(below: clusters)]
        storage += centre.map { $0 + 0.5 * random.nextNormal() }
    }
    return (ItemMatrix(count: count, dimension: dimension, storage: storage), centres)
}

@Suite("HNSW index")
struct HNSWIndexTests {
    @Test("recall@100 against exact is at least 0.99 at the default parameters, in either space", arguments: HNSWSpace.allCases)
    func recallAt100AgainstExactIsAtLeast99PercentAtTheDefaultEf(space: HNSWSpace) throws {
        let (items, centres) = clusteredItems(count: 6000, dimension: 32, clusters: 40, seed: 1)
        var random = SeededGenerator(seed: 2)
        let queries = (0..<50).flatMap { q in centres[q % centres.count].map { $0 + 0.3 * random.nextNormal() } }
        let exclude: [[Int32]] = (0..<50).map { _ in (0..<20).map { _ in Int32(random.nextInt(below: items.count)) } }
        let exact = ExactIndex(items: items).search(queries: queries, queryCount: 50, n: 100, exclude: exclude)
        let approximate = try HNSWIndex(items: items, parameters: HNSWParameters(space: space), threads: 2).search(queries: queries, queryCount: 50, n: 100, exclude: exclude)
        var hits = 0
        for (truth, found) in zip(exact, approximate) {
            hits += Set(truth.map(\.item)).intersection(found.map(\.item)).count
            #expect(found.count == 100)
        }
        for (list, excluded) in zip(approximate, exclude) { #expect(Set(list.map(\.item)).isDisjoint(with: excluded)) }
        let recall = Double(hits) / 5000
        print("HNSW recall@100 against exact (6000 clustered items, d = 32, default parameters, \(space.rawValue)): \(recall)")
        #expect(recall >= 0.99)
    }

    @Test(arguments: HNSWSpace.allCases)
    func scoresAreExactInnerProductsInRankingOrder(space: HNSWSpace) throws {
        let problem = RandomProblem(itemCount: 500, userCount: 8, interestCount: 1, dimension: 8, integral: true, excludePerUser: 5, seed: 4)
        let index = try HNSWIndex(items: problem.items, parameters: HNSWParameters(ef: 500, space: space))
        let got = index.search(queries: problem.interests.vectors, queryCount: 8, n: 30, exclude: problem.exclude)
        let reference = referenceRecommend(items: problem.items, interests: InterestBatch(
            singleVectors: problem.interests.vectors, count: 8, dimension: 8), n: 30, exclude: problem.exclude)
        // ef = the catalogue: the graph search sees everything, so the lists equal the brute force, ties included.
        #expect(got == reference)
    }

    @Test(arguments: HNSWSpace.allCases)
    func aSavedGraphAnswersExactlyAsTheBuiltOne(space: HNSWSpace) throws {
        let (items, centres) = clusteredItems(count: 2000, dimension: 16, clusters: 10, seed: 3)
        let built = try HNSWIndex(items: items, parameters: HNSWParameters(space: space), threads: 3)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mind-hnsw-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        try built.save(to: url)
        let loaded = try HNSWIndex(loading: url, items: items, parameters: HNSWParameters(space: space), threads: 1)
        let queries = centres.flatMap { $0 }
        #expect(loaded.search(queries: queries, queryCount: 10, n: 50, exclude: [])
                == built.search(queries: queries, queryCount: 10, n: 50, exclude: []))
        let fewer = ItemMatrix(count: 1999, dimension: 16, storage: Array(items.storage.prefix(1999 * 16)))
        #expect(throws: HNSWError.countMismatch(path: url.path, graph: 2000, items: 1999)) {
            _ = try HNSWIndex(loading: url, items: fewer, parameters: HNSWParameters(space: space))
        }
        #expect(throws: HNSWError.self) { _ = try HNSWIndex(loading: URL(fileURLWithPath: "/nonexistent/graph.bin"), items: items, parameters: HNSWParameters()) }
    }

    @Test func multiInterestRecommendationMergesPerInterestListsAndSkipsMaskedInterests() throws {
        let problem = RandomProblem(itemCount: 400, userCount: 12, interestCount: 4, dimension: 8, integral: true, excludePerUser: 6, seed: 8)
        let index = try HNSWIndex(items: problem.items, parameters: HNSWParameters(ef: 400), threads: 2)
        let got = index.recommend(interests: problem.interests, n: 25, exclude: problem.exclude)
        let exact = ExactIndex(items: problem.items).recommend(interests: problem.interests, n: 25, exclude: problem.exclude)
        for (user, (a, b)) in zip(got, exact).enumerated() {
            #expect(a.map(\.item) == b.map(\.item), "user \(user)")
            #expect(a.map(\.score) == b.map(\.score), "user \(user)")
            for entry in a { #expect(problem.interests.isActive(user: user, interest: entry.interest)) }
        }
    }

    /// A damaged graph file (its checksum recomputed, so only the graph's own checks stand between it and the
    /// search) is refused or answers with items of the catalogue; it never reads out of bounds. Before these checks
    /// hnswlib followed damaged links into other memory and the process died.
    @Test(arguments: HNSWSpace.allCases)
    func aDamagedGraphIsRefusedOrHarmless(space: HNSWSpace) throws {
        let (items, centres) = clusteredItems(count: 400, dimension: 8, clusters: 5, seed: 11)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mind-hnsw-damaged-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        try HNSWIndex(items: items, parameters: HNSWParameters(space: space), threads: 1).save(to: url)
        let intact = try Data(contentsOf: url)
        let headerBytes = 100  // hnswlib's header: 6 sizes, level, entry point, 3 sizes, multiplier, ef
        var random = SeededGenerator(seed: 5)
        var refused = 0
        for trial in 0..<300 {
            var bytes = intact
            // Header damage for some trials, link and record damage for the rest.
            let range = trial % 10 == 0 ? 0..<headerBytes : headerBytes..<bytes.count
            for _ in 0..<(1 + random.nextInt(below: 40)) {
                bytes[range.lowerBound + random.nextInt(below: range.count)] = UInt8(random.nextInt(below: 256))
            }
            try bytes.write(to: url)
            guard let loaded = try? HNSWIndex(loading: url, items: items, parameters: HNSWParameters(space: space)) else {
                refused += 1
                continue
            }
            for list in loaded.search(queries: centres.flatMap { $0 }, queryCount: centres.count, n: 20, exclude: []) {
                #expect(list.allSatisfy { $0.item >= 0 && Int($0.item) < items.count }, "trial \(trial)")
            }
        }
        #expect(refused > 0)
        // A link to an element that does not exist, in the first element's level-0 list (count, then links).
        var bytes = intact
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(1), toByteOffset: headerBytes, as: UInt32.self)
            raw.storeBytes(of: UInt32(1_000_000), toByteOffset: headerBytes + 4, as: UInt32.self)
        }
        try bytes.write(to: url)
        #expect(throws: HNSWError.library("\(url.path): a link of the graph points nowhere")) {
            _ = try HNSWIndex(loading: url, items: items, parameters: HNSWParameters(space: space))
        }
    }

    @Test func badParametersAreRefusedAndEmptyCataloguesAnswerNothing() throws {
        let items = ItemMatrix(count: 0, dimension: 4, storage: [])
        #expect(throws: HNSWError.invalidParameters("hnsw m must be in 2...512, not 1")) { _ = try HNSWIndex(items: items, parameters: HNSWParameters(m: 1)) }
        let empty = try HNSWIndex(items: items)
        #expect(empty.search(queries: [1, 0, 0, 0], queryCount: 1, n: 5, exclude: []) == [[]])
    }
}
