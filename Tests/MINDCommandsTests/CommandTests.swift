import ArgumentParser
import Foundation
import Testing
import MINDData
import MINDModels
import MINDServing
@testable import MINDCommands

/// The command layer as users meet it: flags parsed into typed values, bad flags refused before any work,
/// and the commands run in-process from logs to recommendations.
@Suite("Command line", .serialized)
struct CommandTests {
    @Test func choiceFlagsAreTypedAndUnknownValuesRefused() throws {
        let evaluate = try EvaluateCommand.parse(["--model", "m", "--dataset", "d", "--split", "valid"])
        #expect(evaluate.split == .valid)
        #expect(throws: (any Error).self) { try EvaluateCommand.parse(["--model", "m", "--dataset", "d", "--split", "tset"]) }
        #expect(throws: (any Error).self) { try InterestsBench.parse(["--model", "m", "--dataset", "d", "--split", "all"]) }
        #expect(throws: (any Error).self) { try ExportSplitBench.parse(["--dataset", "d", "--output", "o", "--split", "x"]) }
        let prepare = try PrepareCommand.parse(["--interactions", "/dev/null", "--output", "o", "--split", "leave-one-out"])
        #expect(prepare.split == .leaveOneOut)
        #expect(throws: (any Error).self) { try PrepareCommand.parse(["--interactions", "/dev/null", "--output", "o", "--split", "time"]) }
    }

    @Test("bad flag values are refused before any work", arguments: [
        ["recommend", "--model", "m", "--history", "1", "--top", "0"],
        ["recommend", "--model", "m", "--history", "1", "--top", "100000000"],
        ["recommend", "--model", "m", "--histories", "h.jsonl", "--output", "./h.jsonl"],
        ["recommend", "--model", "m", "--history", "1", "--user", "2"],
        ["recommend", "--model", "m", "--history", "1", "--threads", "0"],
        ["recommend", "--model", "m", "--history", "[\"a\", 1.5]"],
        ["recommend", "--model", "m", "--history", "[\"a\""],
        ["explain", "--model", "m", "--history", "[true]"],
        ["evaluate", "--model", "m", "--dataset", "d", "--at", "10,0"],
        ["evaluate", "--model", "m", "--dataset", "d", "--at", "99999999999"],
        ["evaluate", "--dataset", "d"],
        ["bench", "kernels", "--threads", "0"],
    ])
    func badFlagsAreRefused(arguments: [String]) {
        #expect(throws: (any Error).self) { try MindCommand.parseAsRoot(arguments) }
    }

    @Test func historiesAreCommaSeparatedOrJSONArraysForIdsWithCommas() throws {
        #expect(try parseHistory(" 1, 2 ,,3 ") == ["1", "2", "3"])
        #expect(try parseHistory(#"["Heat, 1995", " padded ", 42]"#) == ["Heat, 1995", " padded ", "42"])
        #expect(try parseHistory("[]") == [])
        #expect(try parseHistory(#"{"a": 1}"#) == [#"{"a": 1}"#], "only a leading [ means JSON")
        for bad in [#"["a", 1.5]"#, "[true]", #"[["a"]]"#, #"["a""#, "[1, 2"] {
            #expect(throws: ValidationError.self, "\(bad)") { try parseHistory(bad) }
        }
        // The error names the element's position.
        #expect(throws: ValidationError.self) { try parseHistory(#"["a", "b", null]"#) }
        let error = #expect(throws: ValidationError.self) { try parseHistory(#"["a", "b", 2.5]"#) }
        #expect(error?.message.contains("--history[2]") == true, "\(String(describing: error?.message))")
        let recommend = try RecommendCommand.parse(["--model", "m", "--history", #"["x, y"]"#])
        #expect(try parseHistory(recommend.history ?? "") == ["x, y"])
    }

    @Test func logsToRecommendationsInProcess() throws {
        let workspace = try CommandWorkspace(prefix: "mind-cli")
        defer { workspace.remove() }
        let (run, path) = (workspace.run, workspace.path)
        try run(["synth", "--users", "300", "--items", "120", "--topics", "6", "--seed", "3", "--output", path("logs")])
        try run(["prepare", "--interactions", path("logs/interactions.csv"), "--items", path("logs/items.csv"),
                 "--output", path("data"), "--verify"])
        try run(["train", "--dataset", path("data"), "--output", path("model"), "--epochs", "1", "--embedding-size", "8",
                 "--mlp-hidden", "16", "--negatives", "20", "--threads", "3"])
        for name in ["config.json", "schema.json", "items.txt", "popularity.json", "weights.safetensors", "metrics.json", "training_log.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: path("model/\(name)")), "\(name)")
        }
        try run(["evaluate", "--model", path("model"), "--dataset", path("data"), "--split", "valid", "--json", path("metrics.json")])
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("metrics.json")))) as? [String: Any]
        #expect(metrics?["userCount"] as? Int ?? 0 > 0)

        let data = try DatasetStore.load(from: URL(fileURLWithPath: path("data")))
        // `mind bench training --dataset` times steps on the prepared training sequences and item features.
        let bench = try TrainingBench.parse(["--model", "comirec-sa", "--dataset", path("data")])
        let (benchData, benchSchema) = try bench.trainingInput()
        #expect(benchData.sequences == data.trainingSequences().map(\.items))
        #expect(benchSchema.itemCount == data.itemCount && benchSchema.itemFeatures.count == data.itemFeatures.count)
        try run(["bench", "training", "--model", "comirec-sa", "--steps", "2", "--batch-size", "16", "--dataset", path("data")])
        let history = data.evaluationCases(.test)[0].history.map { data.items.ids[Int($0)] }
        let line = String(decoding: try JSONSerialization.data(withJSONObject: ["user": "x", "items": history] as [String: Any]), as: UTF8.self)
        try (line + "\n").write(toFile: path("in.jsonl"), atomically: true, encoding: .utf8)
        try run(["recommend", "--model", path("model"), "--histories", path("in.jsonl"), "--top", "7", "--output", path("out.jsonl")])
        let answer = try JSONDecoder().decode(Recommendation.self, from: Data(contentsOf: URL(fileURLWithPath: path("out.jsonl"))))
        #expect(answer.user == "x")
        #expect(answer.items.count == 7)
        #expect(Set(answer.items).isDisjoint(with: history))
        // The same through the library gives the same answer.
        let direct = try Recommender(directory: URL(fileURLWithPath: path("model")), threads: 1).recommend(history: history, count: 7)
        #expect(direct.items == answer.items && direct.scores == answer.scores)

        // A model trained on other items is refused by name, not run on the wrong indices.
        try run(["synth", "--users", "200", "--items", "80", "--topics", "4", "--seed", "4", "--output", path("other-logs")])
        try run(["prepare", "--interactions", path("other-logs/interactions.csv"), "--output", path("other")])
        let other = try DatasetStore.load(from: URL(fileURLWithPath: path("other")))
        #expect(throws: ModelBundleError.vocabularyMismatch(model: path("model"), dataset: path("other"))) {
            _ = try loadRecommender(path("model"), toRunOn: other, at: path("other"))
        }
    }
}
