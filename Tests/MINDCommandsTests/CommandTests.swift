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

    /// Ids and feature values are bytes everywhere, as the event log and every other tool take them: "café" written
    /// precomposed and decomposed are two items, two genres and two occupations from the logs to the model. (The
    /// items file used to call the second a repeat, a prepared dataset with both would not load, nor a model on it.)
    @Test func valuesThatDifferOnlyInBytesStayApartFromLogsToRecommendations() throws {
        let workspace = try CommandWorkspace(prefix: "mind-bytes")
        defer { workspace.remove() }
        let (run, path) = (workspace.run, workspace.path)
        let (composed, decomposed) = ("caf\u{E9}", "cafe\u{301}")
        let items = (0..<30).map { "i\($0)" } + [composed, decomposed]
        var ratings = "user_id,item_id,timestamp\n", time = 0
        for user in 0..<40 {
            for step in 0..<10 {
                time += 1
                ratings += "u\(user),\(items[(user * 7 + step * 5) % items.count]),\(time)\n"
            }
        }
        try ratings.write(toFile: path("ratings.csv"), atomically: true, encoding: .utf8)
        let genres = Array(repeating: "plain", count: 30) + [composed, decomposed]  // not by ==, which calls them one
        try ("item_id,genre\n" + zip(items, genres).map { "\($0),\($1)\n" }.joined())
            .write(toFile: path("items.csv"), atomically: true, encoding: .utf8)
        try ("user_id,occupation\n" + (0..<40).map { "u\($0),\([composed, decomposed, "other"][$0 % 3])\n" }.joined())
            .write(toFile: path("users.csv"), atomically: true, encoding: .utf8)

        try run(["prepare", "--interactions", path("ratings.csv"), "--items", path("items.csv"), "--users", path("users.csv"),
                 "--output", path("data"), "--min-user-count", "1", "--min-item-count", "1"])
        let data = try DatasetStore.load(from: URL(fileURLWithPath: path("data")))
        let (composedItem, decomposedItem) = (try #require(data.items.index(of: composed)), try #require(data.items.index(of: decomposed)))
        #expect(composedItem != decomposedItem)
        let genre = try #require(data.itemFeatures.first { $0.name == "genre" })
        #expect(genre.vocabulary.count == 4, "unknown, plain and both spellings: \(genre.vocabulary)")
        #expect(genre.values[Int(genre.offsets[Int(composedItem)])] != genre.values[Int(genre.offsets[Int(decomposedItem)])])
        #expect(try #require(data.userFeatures.first { $0.name == "occupation" }).vocabulary.count == 4)

        try run(["train", "--dataset", path("data"), "--output", path("model"), "--epochs", "1", "--embedding-size", "8",
                 "--mlp-hidden", "16", "--negatives", "10", "--threads", "1"])
        let recommender = try Recommender(directory: URL(fileURLWithPath: path("model")), threads: 1)
        #expect(recommender.model.usesProfile)
        let occupation = try #require(recommender.model.schema.userFeatures.first { $0.name == "occupation" })
        #expect(occupation.index(of: composed) != occupation.index(of: decomposed))
        #expect(occupation.index(of: composed) != 0 && occupation.index(of: decomposed) != 0)
        let fromComposed = recommender.recommend(history: [composed], count: 5)
        // The history's item is left out by its bytes; its other spelling is another item and may be recommended.
        #expect(!fromComposed.items.map { Array($0.utf8) }.contains(Array(composed.utf8)) && fromComposed.items.count == 5)
        #expect(recommender.unknownProfileEntries(["occupation": decomposed]) == 0)
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
