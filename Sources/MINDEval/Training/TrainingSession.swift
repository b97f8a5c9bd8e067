import Foundation
import MINDCore
import MINDData
import MINDModels

/// One training run from a prepared dataset to a model directory: the bundle files, the trainer with
/// validation Recall@50 and early stopping, checkpoints, the per-epoch log and `metrics.json`. Shared by
/// `mind train` and `mind demo`; the caller decides how to show progress and when to stop.
public struct TrainingSession {
    /// The dataset to train on, and the directory it was read from (recorded in the model for provenance).
    public let data: Dataset
    public let datasetURL: URL
    /// Every hyper-parameter of the run (on `resume`, the ones saved in the model directory).
    public let settings: ModelConfig
    /// The model directory to write.
    public let outputURL: URL
    /// Continue the checkpoint in `outputURL` instead of starting afresh.
    public let resume: Bool

    /// What the trainer reports, and how the run ended.
    public struct Outcome: Sendable {
        public var state: TrainerState
        public var ending: TrainingOutcome
    }

    /// The callbacks a caller can hook; each runs on the training thread.
    public struct Hooks {
        /// Polled after each batch and epoch; true stops the run with a checkpoint.
        public var shouldStop: () -> Bool = { false }
        public var onProgress: (TrainingProgress) -> Void = { _ in }
        public var onEpoch: (EpochRecord) -> Void = { _ in }
        public init() {}
    }

    public init(data: Dataset, datasetURL: URL, settings: ModelConfig, outputURL: URL, resume: Bool) {
        self.data = data
        self.datasetURL = datasetURL
        self.settings = settings
        self.outputURL = outputURL
        self.resume = resume
    }

    /// Whether validation (and so early stopping and best-epoch selection) is possible on this dataset.
    public var validates: Bool { !data.evaluationCases(.valid).isEmpty }

    /// Builds the trainer: writes the bundle (new runs) or restores the checkpoint (resumed runs).
    public func makeTrainer() throws -> Trainer {
        let schema = DataSchema(dataset: data)
        let trainingData = TrainingData(dataset: data)
        if resume {
            // The run must go on over the data it started on: the training counts per item and the feature schema
            // recorded at its start tell another dataset (or another split of the same logs) apart.
            let started = try ModelBundle.read(from: outputURL)
            guard ExactString.same(started.itemIDs, data.items.ids), started.itemPopularity == trainingData.popularity, started.schema == schema else {
                throw ModelBundleError.resumedOnOtherData(model: outputURL.path, dataset: datasetURL.path)
            }
        } else {
            try ModelBundle(config: settings, schema: schema, itemIDs: data.items.ids,
                            datasetPath: datasetURL.standardizedFileURL.path, itemPopularity: trainingData.popularity).write(to: outputURL)
        }
        let trainer = Trainer(model: RecommenderModel(config: settings, schema: schema), data: trainingData, directory: outputURL)
        if resume { try trainer.resume() }
        if validates {
            let (data, threads) = (self.data, settings.threads)
            trainer.validate = { model in
                try ModelEvaluation.evaluate(model, dataset: data, split: .valid, cutoffs: [50], threads: threads)[cutoff: 50]?.recall ?? 0
            }
        }
        return trainer
    }

    /// Runs `trainer` to its end (or until `hooks.shouldStop`), logging each epoch into the model directory.
    public func run(_ trainer: Trainer, hooks: Hooks = Hooks()) throws -> Outcome {
        let directory = outputURL
        trainer.shouldStop = hooks.shouldStop
        trainer.onProgress = hooks.onProgress
        trainer.onEpoch = { record in
            hooks.onEpoch(record)
            // The log is a convenience beside the checkpoint, which the trainer has already written.
            try? TrainingLog.append(record, to: directory)
            try? TrainingLog.writeMetrics(trainer.state, to: directory)
        }
        let ending = try trainer.train()
        try TrainingLog.writeMetrics(trainer.state, to: directory)
        return Outcome(state: trainer.state, ending: ending)
    }
}
