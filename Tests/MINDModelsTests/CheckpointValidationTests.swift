import Foundation
import Testing
import MINDCore
import MINDNN
@testable import MINDModels

/// A checkpoint written by an interrupted run, then damaged: `resume()` must refuse it with a typed error
/// naming the file and the field, and leave the trainer as it was.
@Suite("Checkpoint: resume validates state.json and the optimiser state")
final class CheckpointValidationTests {
    let directory: URL
    let planted: PlantedInterests
    let data: TrainingData
    let config: ModelConfig

    init() throws {
        var config = ModelConfig()
        config.embeddingSize = 8
        config.interestCount = 2
        config.maxHistoryLength = 6
        config.mlpHidden = [8]
        config.negatives = 5
        config.batchSize = 16
        config.epochs = 2
        config.seed = 5
        let planted = PlantedInterests(users: 40, topics: 4, itemsPerTopic: 6, length: 8...12, seed: 4)
        let data = TrainingData(sequences: planted.sequences, users: (0..<40).map { Int32($0) }, profiles: [], profileFeatureCount: 0,
                                itemCount: planted.itemCount)
        let directory = try temporaryDirectory()
        let trainer = Trainer(model: RecommenderModel(config: config, schema: planted.schema), data: data, directory: directory)
        var batches = 0
        trainer.shouldStop = { batches += 1; return batches == 3 }
        let outcome = try trainer.train()
        (self.config, self.planted, self.data, self.directory) = (config, planted, data, directory)
        #expect(outcome == .interrupted(epoch: 0, batch: 3))
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var stateURL: URL { directory.appendingPathComponent("checkpoint/state.json") }
    var optimizerURL: URL { directory.appendingPathComponent("checkpoint/optimizer.safetensors") }

    func freshTrainer() -> Trainer {
        Trainer(model: RecommenderModel(config: config, schema: planted.schema), data: data, directory: directory)
    }

    func editState(_ change: (inout [String: Any]) -> Void) throws {
        var state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: stateURL)) as? [String: Any])
        change(&state)
        try JSONSerialization.data(withJSONObject: state).write(to: stateURL)
    }

    /// `resume()` must throw a `TrainerError` naming `file` and each of `words`, and change nothing.
    func expectRefusal(_ file: URL, mentioning words: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let trainer = freshTrainer()
        let before = trainer.model.parameters.map(\.value)
        do {
            try trainer.resume()
            Issue.record("the damaged \(file.lastPathComponent) was accepted", sourceLocation: sourceLocation)
        } catch let error as TrainerError {
            let text = error.description
            #expect(text.contains(file.path), "\(text)", sourceLocation: sourceLocation)
            for word in words { #expect(text.contains(word), "'\(word)' not in: \(text)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("untyped error \(error)", sourceLocation: sourceLocation)
        }
        #expect(trainer.state == TrainerState(), sourceLocation: sourceLocation)
        #expect(trainer.model.parameters.map(\.value) == before, "no weight changes on error", sourceLocation: sourceLocation)
    }

    @Test func goodCheckpointsResume() throws {
        let trainer = freshTrainer()
        try trainer.resume()
        #expect(trainer.state.epoch == 0 && trainer.state.batch == 3)
        #expect(try trainer.train() == .finished)
        // The checkpoint of a finished run resumes too (and has nothing left to do).
        let finished = freshTrainer()
        try finished.resume()
        #expect(finished.state.finished && finished.state.epoch == 2 && finished.state.history.count == 2)
    }

    @Test func negativeOrOutOfRangeEpochIsRefused() throws {
        for epoch in [-4, 3, Int.max] {
            try editState { $0["epoch"] = epoch }
            expectRefusal(stateURL, mentioning: ["field 'epoch'", "\(epoch)", "0...2"])
        }
    }

    @Test func batchOutsideTheEpochIsRefused() throws {
        for batch in [-1, 1_000_000] {
            try editState { $0["batch"] = batch }
            expectRefusal(stateURL, mentioning: ["field 'batch'", "\(batch)"])
        }
    }

    @Test func lossCountsMustFitTheBatchesRun() throws {
        try editState { $0["lossCount"] = -5 }
        expectRefusal(stateURL, mentioning: ["field 'lossCount'", "-5"])
        try editState { $0["lossCount"] = 49 }  // 3 batches of 16 give at most 48
        expectRefusal(stateURL, mentioning: ["field 'lossCount'", "49", "0...48"])
    }

    @Test func historyMustHaveOneRecordPerFinishedEpoch() throws {
        try editState { $0["epoch"] = 1; $0["batch"] = 0; $0["lossCount"] = 0 }
        expectRefusal(stateURL, mentioning: ["field 'history'", "0 records"])
        let record: [String: Any] = ["epoch": 7, "loss": 1.5, "seconds": 1, "samplesPerSecond": 10]
        try editState { $0["history"] = [record] }
        expectRefusal(stateURL, mentioning: ["field 'history[0].epoch'", "7"])
        try editState { $0["history"] = [record.merging(["epoch": 0, "seconds": -3]) { $1 }] }
        expectRefusal(stateURL, mentioning: ["field 'history[0].seconds'", "-3"])
        try editState { $0["history"] = [record.merging(["epoch": 0]) { $1 }]; $0["bestEpoch"] = 4 }
        expectRefusal(stateURL, mentioning: ["field 'bestEpoch'", "4"])
    }

    @Test func optimizerStateMustFitTheParameters() throws {
        var state = try SafeTensors.read(from: optimizerURL).tensors
        let original = state
        state["adam.step"] = Tensor(scalar: -2)
        try SafeTensors.write(state, to: optimizerURL)
        expectRefusal(optimizerURL, mentioning: ["field 'adam.step'", "-2"])
        state = original
        state["adam.step"] = Tensor(scalar: .nan)
        try SafeTensors.write(state, to: optimizerURL)
        expectRefusal(optimizerURL, mentioning: ["field 'adam.step'", "nan"])
        state = original
        let moment = try #require(state.keys.sorted().first { $0.hasPrefix("adam.v.") })
        state[moment] = Tensor(shape: [3], storage: [1, 2, 3])
        try SafeTensors.write(state, to: optimizerURL)
        expectRefusal(optimizerURL, mentioning: ["field '\(moment)'", "has 3 values"])
        state = original
        state["adam.m.nothing"] = Tensor(shape: [1], storage: [0])
        try SafeTensors.write(state, to: optimizerURL)
        expectRefusal(optimizerURL, mentioning: ["field 'adam.m.nothing'", "no parameter"])
    }
}
