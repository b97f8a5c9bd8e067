import ArgumentParser
import Foundation
import Testing
import MINDData
import MINDEval
import MINDModels
import MINDServing
@testable import MINDCommands

/// `mind compare` and the new towers through every command: trained under one budget, evaluated on the same
/// users, paired against the best; each model then recommends, exports and explains like MIND.
@Suite("mind compare and the sequence towers through the commands", .serialized)
struct CompareCommandTests {
    @Test("bad --budget and --models values are refused before any work", arguments: [
        ["compare", "--dataset", "d", "--output", "o", "--budget", "epochs:0"],
        ["compare", "--dataset", "d", "--output", "o", "--budget", "minutes:-1"],
        ["compare", "--dataset", "d", "--output", "o", "--budget", "hours:2"],
        ["compare", "--dataset", "d", "--output", "o", "--models", "mind,bert4rec"],
        ["compare", "--dataset", "d", "--output", "o", "--models", "mind,mind"],
        ["compare", "--dataset", "d", "--output", "o", "--models", "sasrec+attention-heads=0"],
        ["compare", "--dataset", "d", "--output", "o", "--models", "sasrec+no-such-key=1"],
        ["compare", "--dataset", "d", "--output", "o", "--embedding-size", "abc"],
    ])
    func badArgumentsAreRefused(arguments: [String]) {
        #expect(throws: (any Error).self) { try MindCommand.parseAsRoot(arguments) }
    }

    @Test func everyModelTrainsComparesRecommendsExportsAndExplains() throws {
        let workspace = try CommandWorkspace(prefix: "mind-compare")
        defer { workspace.remove() }
        let (run, path) = (workspace.run, workspace.path)
        try run(["synth", "--users", "240", "--items", "100", "--topics", "5", "--seed", "8", "--output", path("logs")])
        try run(["prepare", "--interactions", path("logs/interactions.csv"), "--items", path("logs/items.csv"), "--output", path("data")])
        let models = ["mind", "youtubednn", "comirec-sa", "sdm", "sasrec", "gru4rec", "comirec-dr+bilinear=per-position"]
        let settings = ["--embedding-size", "8", "--mlp-hidden", "16", "--negatives", "20", "--max-history-length", "10", "--short-term-length", "4"]
        try run(["compare", "--dataset", path("data"), "--models", models.joined(separator: ","), "--budget", "epochs:1",
                 "--output", path("compare"), "--resamples", "100"] + settings)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("compare/compare.json")))) as? [String: Any]
        let entries = try #require(json?["entries"] as? [[String: Any]])
        #expect(entries.compactMap { $0["name"] as? String } == models + ["most-popular"])
        let best = try #require(json?["best"] as? String)
        for entry in entries {
            let name = entry["name"] as? String ?? ""
            #expect((entry["againstBest"] != nil) == (name != best), "\(name): paired against the best unless it is the best")
            if name != "most-popular" {
                #expect(entry["epochs"] as? Int == 1, "\(name)")
                #expect((entry["samplesPerSecond"] as? Double ?? 0) > 0, "\(name)")
            }
        }

        let data = try DatasetStore.load(from: URL(fileURLWithPath: path("data")))
        let history = data.evaluationCases(.test)[0].history.map { data.items.ids[Int($0)] }
        for model in models {
            let directory = try CompareCommand.ModelSpec(model).directoryName
            let modelPath = path("compare/\(directory)")
            let recommender = try Recommender(directory: URL(fileURLWithPath: modelPath), threads: 1)
            let answer = recommender.recommend(history: history, count: 5)
            #expect(answer.items.count == 5 && Set(answer.items).isDisjoint(with: history), "\(model)")
            try run(["export", "--model", modelPath, "--dataset", path("data"), "--output", path("export-\(directory)")])
            #expect(FileManager.default.fileExists(atPath: path("export-\(directory)/user_interests.npy")), "\(model)")
            try run(["explain", "--model", modelPath, "--history", history.joined(separator: ","), "--output", path("why-\(directory).svg")])
            #expect(FileManager.default.fileExists(atPath: path("why-\(directory).svg")), "\(model)")
        }

        // --reuse keeps a model trained with the same settings: its training log is not rewritten.
        let log = path("compare/sasrec/training_log.jsonl")
        let before = try FileManager.default.attributesOfItem(atPath: log)[.modificationDate] as? Date
        try run(["compare", "--dataset", path("data"), "--models", "sasrec", "--budget", "epochs:1", "--output", path("compare"),
                 "--reuse", "--resamples", "100", "--json", path("again.json")] + settings)
        #expect(try FileManager.default.attributesOfItem(atPath: log)[.modificationDate] as? Date == before)
        #expect(FileManager.default.fileExists(atPath: path("again.json")))

        // A run that did not end by its own rule (killed or interrupted mid-way: the log says not finished, and
        // compare never recorded its budget) is not kept as it is; a minutes budget is reused only when it matches.
        let directory = URL(fileURLWithPath: path("compare/sasrec"))
        let trained = try ModelBundle.read(from: directory).config
        #expect(CompareCommand.isTrained(directory, with: trained, budget: .epochs(1)))
        // The thread count changes only the speed, so a model trained on other threads is kept; any other key is not.
        var otherThreads = trained, otherSeed = trained
        otherThreads.threads = trained.threads + 3
        otherSeed.seed = trained.seed &+ 1
        #expect(CompareCommand.isTrained(directory, with: otherThreads, budget: .epochs(1)))
        #expect(!CompareCommand.isTrained(directory, with: otherSeed, budget: .epochs(1)))
        let metricsURL = directory.appendingPathComponent("metrics.json")
        let finished = try String(contentsOf: metricsURL, encoding: .utf8)
        try finished.replacingOccurrences(of: "\"finished\" : true", with: "\"finished\" : false").write(to: metricsURL, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: directory.appendingPathComponent(CompareCommand.budgetFile))
        #expect(!CompareCommand.isTrained(directory, with: trained, budget: .epochs(1)))
        try "minutes:2\n".write(to: directory.appendingPathComponent(CompareCommand.budgetFile), atomically: true, encoding: .utf8)
        #expect(CompareCommand.isTrained(directory, with: trained, budget: try .init("minutes:2")))
        #expect(!CompareCommand.isTrained(directory, with: trained, budget: try .init("minutes:3")))
        try FileManager.default.removeItem(at: directory.appendingPathComponent(CompareCommand.budgetFile))
        // With a checkpoint it would be continued (reuseContinuesAnInterruptedModel); without one it starts afresh.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("checkpoint"))
        try run(["compare", "--dataset", path("data"), "--models", "sasrec", "--budget", "epochs:1", "--output", path("compare"),
                 "--reuse", "--resamples", "100", "--json", path("again.json")] + settings)
        #expect(try FileManager.default.attributesOfItem(atPath: log)[.modificationDate] as? Date != before)
        #expect(try String(contentsOf: directory.appendingPathComponent(CompareCommand.budgetFile), encoding: .utf8) == "epochs:1\n")
    }

    /// A model interrupted mid-epoch is continued from its checkpoint by `--reuse` and ends at the weights of an
    /// unbroken run; a checkpoint that cannot be restored is trained afresh, to the same weights.
    @Test func reuseContinuesAnInterruptedModel() throws {
        let workspace = try CommandWorkspace(prefix: "mind-compare-resume")
        defer { workspace.remove() }
        let (run, path) = (workspace.run, workspace.path)
        try run(["synth", "--users", "200", "--items", "80", "--topics", "4", "--seed", "3", "--output", path("logs")])
        try run(["prepare", "--interactions", path("logs/interactions.csv"), "--output", path("data")])
        let settings = ["--embedding-size", "8", "--negatives", "10", "--max-history-length", "8", "--batch-size", "32", "--patience", "5"]
        func compare(_ output: String) throws {
            try run(["compare", "--dataset", path("data"), "--models", "mind", "--budget", "epochs:2", "--output", path(output),
                     "--reuse", "--resamples", "50"] + settings)
        }
        try compare("unbroken")
        let unbroken = try Data(contentsOf: URL(fileURLWithPath: path("unbroken/mind/weights.safetensors")))
        let config = try ModelBundle.read(from: URL(fileURLWithPath: path("unbroken/mind"))).config
        let data = try DatasetStore.load(from: URL(fileURLWithPath: path("data")))

        /// Trains `output/mind` as compare would, stopped at the second batch of the second epoch.
        func interrupted(_ output: String) throws -> URL {
            let directory = URL(fileURLWithPath: path("\(output)/mind"))
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let session = TrainingSession(data: data, datasetURL: URL(fileURLWithPath: path("data")), settings: config,
                                          outputURL: directory, resume: false)
            let trainer = try session.makeTrainer()
            #expect(trainer.batchesPerEpoch > 2)
            var hooks = TrainingSession.Hooks()
            hooks.shouldStop = { [unowned trainer] in trainer.state.epoch == 1 && trainer.state.batch == 2 }
            let outcome = try session.run(trainer, hooks: hooks)
            guard case .interrupted = outcome.ending else { Issue.record("not interrupted: \(outcome.ending)"); return directory }
            #expect(CompareCommand.hasCheckpoint(directory, with: config))
            #expect(!CompareCommand.isTrained(directory, with: config, budget: .epochs(2)))
            return directory
        }

        // A fresh run empties the model directory first, so this file tells continuing from starting again.
        let marker = "left-by-the-interrupted-run"
        let continued = try interrupted("continued")
        try Data().write(to: continued.appendingPathComponent(marker))
        try compare("continued")
        #expect(FileManager.default.fileExists(atPath: continued.appendingPathComponent(marker).path))
        #expect(try Data(contentsOf: continued.appendingPathComponent("weights.safetensors")) == unbroken)
        #expect(try TrainingLog.readMetrics(from: continued)?.epochs.count == 2)
        #expect(CompareCommand.isTrained(continued, with: config, budget: .epochs(2)))

        let damaged = try interrupted("damaged")
        try Data("{".utf8).write(to: damaged.appendingPathComponent("checkpoint/state.json"))
        try Data().write(to: damaged.appendingPathComponent(marker))
        try compare("damaged")
        #expect(!FileManager.default.fileExists(atPath: damaged.appendingPathComponent(marker).path))
        #expect(try Data(contentsOf: damaged.appendingPathComponent("weights.safetensors")) == unbroken)
    }
}
