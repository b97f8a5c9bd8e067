import Foundation
import Testing
import MINDData
import MINDModels
@testable import MINDEval

@Suite("Training session and model directory")
struct TrainingSessionTests {
    static func session(epochs: Int, directory: URL, resume: Bool = false) throws -> TrainingSession {
        let logs = SyntheticLogs.generate(SyntheticConfig(users: 200, items: 90, topics: 5, meanLength: 15), seed: 3)
        let data = try logs.dataset(options: PrepareOptions(split: .users, splitRatios: [8, 1, 1], seed: 3))
        var config = ModelConfig()
        config.embeddingSize = 8
        config.mlpHidden = [16]
        config.negatives = 20
        config.epochs = epochs
        config.patience = 0
        config.threads = 2
        return TrainingSession(data: data, datasetURL: directory.appendingPathComponent("data"), settings: config,
                               outputURL: directory.appendingPathComponent("model"), resume: resume)
    }

    @Test func aRunWritesTheModelDirectoryAndAResumeEndsWhereAnUnbrokenRunEnds() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-session-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let unbroken = try Self.session(epochs: 2, directory: directory.appendingPathComponent("a"))
        let outcome = try unbroken.run(try unbroken.makeTrainer())
        #expect(outcome.ending == .finished)
        let model = unbroken.outputURL
        let log = try String(contentsOf: model.appendingPathComponent("training_log.jsonl"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 2)
        let metrics = try JSONDecoder().decode(TrainingLog.Metrics.self, from: Data(contentsOf: model.appendingPathComponent("metrics.json")))
        #expect(metrics.epochs.count == 2 && metrics.finished)
        #expect(metrics.bestEpoch.map { (1...2).contains($0) } == true)
        #expect(metrics.bestValidationRecallAt50 == outcome.state.bestRecall)
        let bundle = try ModelBundle.read(from: model)
        #expect(bundle.config == unbroken.settings)
        #expect(bundle.datasetPath == unbroken.datasetURL.standardizedFileURL.path)

        // Stopped after 3 batches, then resumed: the same weights as the unbroken run.
        let broken = try Self.session(epochs: 2, directory: directory.appendingPathComponent("b"))
        var hooks = TrainingSession.Hooks()
        var batches = 0
        hooks.shouldStop = { batches += 1; return batches == 3 }
        #expect(try broken.run(try broken.makeTrainer(), hooks: hooks).ending == .interrupted(epoch: 0, batch: 3))
        let resumed = try Self.session(epochs: 2, directory: directory.appendingPathComponent("b"), resume: true)
        let resumedTrainer = try resumed.makeTrainer()
        #expect(try resumed.run(resumedTrainer).ending == .finished)
        let (first, _) = try ModelBundle.loadModel(from: model)
        let (second, _) = try ModelBundle.loadModel(from: resumed.outputURL)
        for (a, b) in zip(first.parameters, second.parameters) { #expect(a.value == b.value, "\(a.name)") }
    }

    @Test func anOutputDirectoryIsReusedOnlyWhenItIsSafe() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-output-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let manager = FileManager.default
        try ModelBundle.prepareOutputDirectory(directory, replace: false)  // absent: fine
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        try ModelBundle.prepareOutputDirectory(directory, replace: false)  // empty: fine
        try Data("notes".utf8).write(to: directory.appendingPathComponent("notes.txt"))
        #expect(throws: ModelBundleError.notAModelDirectory(directory.path)) { try ModelBundle.prepareOutputDirectory(directory, replace: true) }
        #expect(manager.fileExists(atPath: directory.appendingPathComponent("notes.txt").path), "a user's file is never deleted")
        try Data("{}".utf8).write(to: directory.appendingPathComponent("config.json"))
        #expect(throws: ModelBundleError.holdsAModel(directory.path)) { try ModelBundle.prepareOutputDirectory(directory, replace: false) }
        // Replacing a model deletes its directory's files: one that is not the model's stops it.
        #expect(throws: ModelBundleError.holdsOtherFiles(directory.path, ["notes.txt"])) {
            try ModelBundle.prepareOutputDirectory(directory, replace: true)
        }
        #expect(manager.fileExists(atPath: directory.appendingPathComponent("notes.txt").path), "a user's file is never deleted")
        try manager.removeItem(at: directory.appendingPathComponent("notes.txt"))
        try ModelBundle.prepareOutputDirectory(directory, replace: true)
        #expect(try manager.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
