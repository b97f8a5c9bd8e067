import Foundation
import Testing
import MINDCore
import MINDRetrieval
@testable import MINDServing

@Suite("HNSW graphs kept beside the model")
struct HNSWStoreTests {
    static func items(seed: UInt64, count: Int = 800) -> ItemMatrix {
        var random = SeededGenerator(seed: seed)
        return ItemMatrix(count: count, dimension: 8, storage: (0..<(count * 8)).map { _ in random.nextNormal() })
    }

    @Test func aGraphIsBuiltOnceThenLoadedAndRebuiltWhenItemsParametersOrTheFileChange() throws {
        let directory = try Fixture.scratchDirectory().appendingPathComponent("index")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let items = Self.items(seed: 1)
        let queries = Array(items.storage.prefix(5 * 8))
        let (built, first) = try HNSWStore.open(in: directory, items: items, parameters: HNSWParameters(), threads: 2)
        #expect(first == .built(savedTo: directory.path, notSaved: nil))
        let (loaded, second) = try HNSWStore.open(in: directory, items: items, parameters: HNSWParameters(), threads: 2)
        #expect(second == .loaded)
        #expect(loaded.search(queries: queries, queryCount: 5, n: 20, exclude: []) == built.search(queries: queries, queryCount: 5, n: 20, exclude: []))
        // ef is a search setting: a different ef reuses the graph.
        #expect(try HNSWStore.open(in: directory, items: items, parameters: HNSWParameters(ef: 50), threads: 1).1 == .loaded)
        // Other items of the same shape (a retrained model), other build parameters: rebuilt.
        #expect(try HNSWStore.open(in: directory, items: Self.items(seed: 2), parameters: HNSWParameters(), threads: 1).1 != .loaded)
        #expect(try HNSWStore.open(in: directory, items: items, parameters: HNSWParameters(m: 8), threads: 1).1 != .loaded)
        #expect(try HNSWStore.open(in: directory, items: items, parameters: HNSWParameters(space: .innerProduct), threads: 1).1 != .loaded)
        _ = try HNSWStore.open(in: directory, items: items, parameters: HNSWParameters(), threads: 1)
        // A damaged graph file is rebuilt, never read.
        let graph = directory.appendingPathComponent("hnsw.bin")
        var bytes = try Data(contentsOf: graph)
        bytes.replaceSubrange(100..<140, with: [UInt8](repeating: 0xFF, count: 40))
        try bytes.write(to: graph)
        let (repaired, outcome) = try HNSWStore.open(in: directory, items: items, parameters: HNSWParameters(), threads: 1)
        #expect(outcome != .loaded)
        #expect(repaired.search(queries: queries, queryCount: 5, n: 20, exclude: []).allSatisfy { $0.count == 20 })
        try Data("truncated".utf8).write(to: graph)
        #expect(try HNSWStore.open(in: directory, items: items, parameters: HNSWParameters(), threads: 1).1 != .loaded)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["hnsw.bin", "hnsw.json"], "no temporary files left")
    }

    @Test func anUnwritableDirectoryStillServesAndSaysWhy() throws {
        let (index, outcome) = try HNSWStore.open(
            in: URL(fileURLWithPath: "/proc/mind-cannot-write-here/index"), items: Self.items(seed: 3), parameters: HNSWParameters(), threads: 1)
        guard case .built(nil, let reason?) = outcome else { Issue.record("expected an unsaved build, got \(outcome)"); return }
        #expect(!reason.isEmpty)
        #expect(index.count == 800)
    }

    @Test func hnswRecommendationsMatchExactOnesUpToRecall() throws {
        let exact = try Fixture.recommender()
        let directory = Fixture.trained.directory
        let (approximate, _) = try Recommender.open(directory: directory, index: .hnsw, threads: 2)
        var overlap = 0, total = 0
        for evaluationCase in Fixture.trained.data.evaluationCases(.test).prefix(30) {
            let history = Fixture.ids(evaluationCase.history)
            let a = exact.recommend(history: history, count: 20), b = approximate.recommend(history: history, count: 20)
            #expect(b.items.count == 20)
            #expect(Set(b.items).isDisjoint(with: history))
            overlap += Set(a.items).intersection(b.items).count
            total += 20
        }
        #expect(Double(overlap) / Double(total) >= 0.99)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("index/hnsw.json").path))
    }
}
