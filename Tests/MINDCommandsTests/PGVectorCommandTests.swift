import ArgumentParser
import Foundation
import Testing
import MINDData
import MINDPostgres
import MINDServing
@testable import MINDCommands

/// `mind pgvector-export` and `mind recommend --index pgvector`: flags, and a model's answers through PostgreSQL.
@Suite("pgvector commands", .serialized)
struct PGVectorCommandTests {
    @Test func flagsAreCheckedBeforeAnyWork() throws {
        let recommend = try RecommendCommand.parse(["--model", "m", "--history", "1", "--index", "pgvector", "--database", "postgres://u@h/d"])
        #expect(recommend.retrieval.index == .pgvector && recommend.retrieval.table == "mind_items")
        #expect(throws: (any Error).self) { try RecommendCommand.parse(["--model", "m", "--history", "1", "--index", "pgvector"]) }
        #expect(throws: (any Error).self) { try RecommendCommand.parse(["--model", "m", "--history", "1", "--index", "faiss"]) }
        #expect(try RecommendCommand.parse(["--model", "m", "--history", "1"]).retrieval.index == .exact)
        let export = try PGVectorExportCommand.parse(["--database", "postgres://u@h/d", "--model", "m", "--table", "items_v2"])
        #expect(export.pgvector.table == "items_v2" && export.pgvector.hnsw == HNSWBuildSettings())
        // `mind export --format pgvector` takes the same options; numpy and pgvector options do not mix.
        let viaExport = try ExportCommand.parse(["--format", "pgvector", "--database", "postgres://u@h/d", "--model", "m", "--hnsw-m", "24"])
        #expect(viaExport.pgvector.hnsw.m == 24)
        for bad in [["--format", "pgvector", "--model", "m"], ["--format", "pgvector", "--database", "postgres://u@h/d", "--model", "m", "--output", "o"],
                    ["--model", "m", "--output", "o", "--database", "postgres://u@h/d"], ["--model", "m"]] {
            #expect(throws: (any Error).self) { try ExportCommand.parse(bad) }
        }
        for bad in [["--database", "http://h/d"], ["--database", "postgres://u@h/d", "--table", "a-b"],
                    ["--database", "postgres://u@h/d", "--hnsw-m", "1"]] {
            #expect(throws: (any Error).self) { try PGVectorExportCommand.parse(bad + ["--model", "m"]) }
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["MIND_TEST_DATABASE_URL"].map { !$0.isEmpty } ?? false,
                   "MIND_TEST_DATABASE_URL is not set: run ./scripts/test.sh"))
    func exportThenRecommendGivesTheExactAnswers() throws {
        let url = ProcessInfo.processInfo.environment["MIND_TEST_DATABASE_URL"] ?? ""
        let workspace = try CommandWorkspace(prefix: "mind-pgvector")
        defer { workspace.remove() }
        let (run, path) = (workspace.run, workspace.path)
        try run(["synth", "--users", "300", "--items", "120", "--topics", "6", "--seed", "3", "--output", path("logs")])
        try run(["prepare", "--interactions", path("logs/interactions.csv"), "--items", path("logs/items.csv"), "--output", path("data")])
        try run(["train", "--dataset", path("data"), "--output", path("model"), "--epochs", "1", "--embedding-size", "8",
                 "--mlp-hidden", "16", "--negatives", "20", "--threads", "2"])
        try run(["export", "--format", "pgvector", "--database", url, "--model", path("model"), "--table", "mind_test_cli", "--dataset", path("data")])

        let data = try DatasetStore.load(from: URL(fileURLWithPath: path("data")))
        let lines = try data.evaluationCases(.test).prefix(20).enumerated().map { user, testCase in
            let history = testCase.history.map { data.items.ids[Int($0)] }
            return String(decoding: try JSONSerialization.data(withJSONObject: ["user": "\(user)", "items": history] as [String: Any]), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path("in.jsonl"), atomically: true, encoding: .utf8)
        try run(["recommend", "--model", path("model"), "--histories", path("in.jsonl"), "--top", "10", "--output", path("exact.jsonl")])
        try run(["recommend", "--model", path("model"), "--histories", path("in.jsonl"), "--top", "10", "--output", path("pg.jsonl"),
                 "--index", "pgvector", "--database", url, "--table", "mind_test_cli", "--threads", "2"])
        let decode = { (name: String) in
            try String(contentsOfFile: path(name), encoding: .utf8).split(separator: "\n")
                .map { try JSONDecoder().decode(Recommendation.self, from: Data($0.utf8)) }
        }
        let exact = try decode("exact.jsonl"), viaPostgres = try decode("pg.jsonl")
        #expect(exact.count == 20 && viaPostgres.count == 20)
        // 120 items and ef_search >= 40: the HNSW scan sees the whole catalogue.
        for (expected, got) in zip(exact, viaPostgres) {
            #expect(got.items == expected.items, "user \(expected.user)")
            #expect(zip(got.scores, expected.scores).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })
        }

        // The table belongs to another model: refused by name.
        try run(["synth", "--users", "200", "--items", "80", "--topics", "4", "--seed", "4", "--output", path("other-logs")])
        try run(["prepare", "--interactions", path("other-logs/interactions.csv"), "--output", path("other")])
        try run(["train", "--dataset", path("other"), "--output", path("other-model"), "--epochs", "1", "--embedding-size", "8",
                 "--mlp-hidden", "16", "--negatives", "20"])
        var mismatched = try RecommendCommand.parse(["--model", path("other-model"), "--history", "1", "--index", "pgvector",
                                                     "--database", url, "--table", "mind_test_cli"])
        let otherItems = try DatasetStore.load(from: URL(fileURLWithPath: path("other"))).items.ids.count
        #expect(throws: PGVectorError.itemCountMismatch(table: "mind_test_cli", expected: otherItems, found: data.items.ids.count)) {
            _ = try mismatched.retrieval.openRecommender(mismatched.model, threads: mismatched.threads)
        }
        mismatched.retrieval.table = "mind_test_cli_missing"
        #expect(throws: PGVectorError.self) { _ = try mismatched.retrieval.openRecommender(mismatched.model, threads: mismatched.threads) }
    }
}
