import Dispatch
import Foundation
import MINDCore
import MINDRetrieval
import Testing
@testable import MINDPostgres

/// The pgvector index against `ExactIndex` on small catalogues written by `PGVectorStore`.
@Suite(.enabled(if: TestDatabase.isAvailable, TestDatabase.skipReason))
struct PGVectorIndexTests {
    /// Writes `items` to `table` and opens an index on it.
    private func index(_ items: ItemMatrix, table: String, mode: PGVectorIndex.SearchMode = .hnsw, efSearch: Int? = nil,
                       connections: Int = 1) async throws -> PGVectorIndex {
        // The async write: a blocking one would park a cooperative-pool thread that the load itself needs.
        let store = try PGVectorStore(url: TestDatabase.configuredURL, table: table)
        _ = try await store.write(items: items, ids: (0..<items.count).map { "i\($0)" })
        return try PGVectorIndex(url: TestDatabase.configuredURL, table: table, connections: connections, mode: mode, efSearch: efSearch)
    }

    @Test func hnswTopNEqualsExactOnASmallCatalogue() async throws {
        let items = randomItems(count: 300, dimension: 16, seed: 10)
        let exact = ExactIndex(items: items)
        // ef_search 1000 >= 300 items: the HNSW scan visits the whole graph, so it is exact here.
        let vectors = try await index(items, table: "mind_test_index_hnsw", efSearch: 1000)
        #expect(vectors.count == 300 && vectors.dimension == 16)
        let queries = randomQueries(count: 20, dimension: 16, seed: 11)
        for n in [1, 10, 100, 300, 400] {
            let got = vectors.search(queries: queries, queryCount: 20, n: n, exclude: [])
            let expected = exact.search(queries: queries, queryCount: 20, n: n, exclude: [])
            for query in 0..<20 { #expect(sameRanking(got[query], expected[query]), "n = \(n), query \(query)") }
        }
        #expect(vectors.failure == nil)
    }

    @Test func defaultEfSearchAgreesWithExactOnASmallCatalogue() async throws {
        let items = randomItems(count: 300, dimension: 16, seed: 12)
        let exact = ExactIndex(items: items)
        let vectors = try await index(items, table: "mind_test_index_default_ef")
        let queries = randomQueries(count: 20, dimension: 16, seed: 13)
        let got = vectors.search(queries: queries, queryCount: 20, n: 50, exclude: [])
        let expected = exact.search(queries: queries, queryCount: 20, n: 50, exclude: [])
        // ef_search = max(n, 40) = 50 is approximate in principle: measure the overlap, demand near-perfect recall.
        let found = zip(got, expected).map { Set($0.map(\.item)).intersection($1.map(\.item)).count }.reduce(0, +)
        #expect(Double(found) / Double(20 * 50) >= 0.98)
    }

    @Test func exactModeEqualsExactIndexIncludingTies() async throws {
        // Small integers: inner products are exact in float and double, and many are tied.
        let items = randomItems(count: 200, dimension: 8, integral: true, seed: 14)
        let exact = ExactIndex(items: items)
        let vectors = try await index(items, table: "mind_test_index_exact", mode: .exact)
        let queries = randomQueries(count: 10, dimension: 8, integral: true, seed: 15)
        let exclude: [[Int32]] = (0..<10).map { (query: Int) -> [Int32] in
            (0..<15).map { (step: Int) -> Int32 in Int32((step * 13 + query * 7) % 200) } + [-1, 500]
        }
        let got = vectors.search(queries: queries, queryCount: 10, n: 30, exclude: exclude)
        #expect(got == exact.search(queries: queries, queryCount: 10, n: 30, exclude: exclude))
    }

    @Test func exclusionsAreNeverReturned() async throws {
        let items = randomItems(count: 300, dimension: 16, seed: 16)
        let exact = ExactIndex(items: items)
        let vectors = try await index(items, table: "mind_test_index_exclude", efSearch: 1000)
        let queries = randomQueries(count: 8, dimension: 16, seed: 17)
        // Each query excludes its own exact top 20, some duplicates, and indices outside the catalogue.
        let top = exact.search(queries: queries, queryCount: 8, n: 20, exclude: [])
        let exclude = top.map { $0.map(\.item) + [$0[0].item, -3, 300, 10_000] }
        let got = vectors.search(queries: queries, queryCount: 8, n: 25, exclude: exclude)
        let expected = exact.search(queries: queries, queryCount: 8, n: 25, exclude: exclude)
        for query in 0..<8 {
            #expect(Set(got[query].map(\.item)).isDisjoint(with: exclude[query]))
            #expect(got[query].count == 25)
            #expect(sameRanking(got[query], expected[query]))
        }
        // All but 5 excluded: exactly the 5 left, best first.
        let nearlyAll = [Array(Int32(5)..<Int32(300))]
        let rest = vectors.search(queries: Array(queries[0..<16]), queryCount: 1, n: 10, exclude: nearlyAll)[0]
        #expect(Set(rest.map(\.item)) == Set(Int32(0)..<Int32(5)))
    }

    @Test func multiInterestRecommendEqualsExact() async throws {
        let items = randomItems(count: 300, dimension: 16, seed: 18)
        let exact = ExactIndex(items: items)
        let vectors = try await index(items, table: "mind_test_index_interests", efSearch: 1000)
        let users = 6, interests = 4
        var generator = SeededGenerator(seed: 19)
        // Users with 1 to 4 interests in use.
        let mask = (0..<(users * interests)).map { $0 % interests <= ($0 / interests) % interests }
        let batch = InterestBatch(
            count: users, interestCount: interests, dimension: 16,
            vectors: (0..<(users * interests * 16)).map { _ in generator.nextNormal() }, mask: mask)
        let history: [[Int32]] = (0..<users).map { (user: Int) -> [Int32] in
            (0..<10).map { (step: Int) -> Int32 in Int32((step * 29 + user * 3) % 300) }
        }
        let got = vectors.recommend(interests: batch, n: 40, exclude: history)
        let expected = exact.recommend(interests: batch, n: 40, exclude: history)
        for user in 0..<users {
            #expect(sameRanking(got[user], expected[user]), "user \(user)")
            #expect(got[user].map(\.interest) == expected[user].map(\.interest), "user \(user)")
            #expect(Set(got[user].map(\.item)).isDisjoint(with: history[user]))
        }
    }

    @Test func concurrentSearchesMatchSequentialOnes() async throws {
        let items = randomItems(count: 300, dimension: 16, seed: 20)
        let vectors = try await index(items, table: "mind_test_index_concurrent", connections: 2)
        let queries = randomQueries(count: 16, dimension: 16, seed: 21)
        // Different n per call, so each call's SET hnsw.ef_search differs from its neighbour's.
        let sizes = (0..<16).map { [5, 60, 200, 1][$0 % 4] }
        let sequential = (0..<16).map { call in
            vectors.search(queries: Array(queries[(call * 16)..<((call + 1) * 16)]), queryCount: 1, n: sizes[call], exclude: [])
        }
        let results = ConcurrentResults(count: 16)
        DispatchQueue.concurrentPerform(iterations: 16) { call in
            results.set(call, vectors.search(queries: Array(queries[(call * 16)..<((call + 1) * 16)]), queryCount: 1, n: sizes[call], exclude: []))
        }
        #expect(results.values == sequential)
        #expect(vectors.failure == nil)
    }

    @Test func shapeMismatchesAndMissingTablesAreNamed() async throws {
        let items = randomItems(count: 30, dimension: 4, seed: 22)
        let vectors = try await index(items, table: "mind_test_index_shape")
        #expect(throws: PGVectorError.dimensionMismatch(table: "mind_test_index_shape", expected: 8, found: 4)) {
            try vectors.check(matches: randomItems(count: 30, dimension: 8, seed: 1))
        }
        #expect(throws: PGVectorError.itemCountMismatch(table: "mind_test_index_shape", expected: 31, found: 30)) {
            try vectors.check(matches: randomItems(count: 31, dimension: 4, seed: 1))
        }
        do {
            _ = try PGVectorIndex(url: TestDatabase.configuredURL, table: "mind_test_no_table_here")
            Issue.record("opened a missing table")
        } catch let PGVectorError.tableMissing(table, _) {
            #expect(table == "mind_test_no_table_here")
        }
    }

    @Test func aClosedIndexReportsItsFailureInsteadOfCrashing() async throws {
        let vectors = try await index(randomItems(count: 20, dimension: 4, seed: 23), table: "mind_test_index_closed")
        vectors.close()
        let got = vectors.search(queries: [1, 0, 0, 0], queryCount: 1, n: 5, exclude: [])
        #expect(got == [[]])
        #expect(vectors.failure != nil)
        #expect(throws: PGVectorError.self) { try vectors.searchChecked(queries: [1, 0, 0, 0], queryCount: 1, n: 5, exclude: []) }
    }
}

/// Results written by concurrent workers, one slot each.
private final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[[ScoredItem]]]

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func set(_ index: Int, _ value: [[ScoredItem]]) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [[[ScoredItem]]] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
