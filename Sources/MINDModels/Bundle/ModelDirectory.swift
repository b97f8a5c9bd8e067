import Foundation
import MINDCore
import MINDData
import MINDJSON
import MINDNN

/// The files of a model directory beside the bundle: the per-epoch training log and the metrics summary,
/// the dataset check before a model is run on a dataset, and the safe reuse of an output directory.
extension ModelBundle {
    /// How a model relates to the dataset it is about to run on.
    public enum DatasetMatch: Equatable, Sendable {
        /// Trained on this dataset directory.
        case sameDirectory
        /// Same item vocabulary, another directory (`trainedOn`): if both are splits of the same logs, the
        /// model may have trained on this dataset's test users.
        case otherDirectory(trainedOn: String)
    }

    /// Checks that this model can run on `dataset` (read from `datasetPath`): its item vocabulary must be the
    /// dataset's, since item indices mean nothing otherwise.
    public func check(against dataset: Dataset, at datasetPath: String, modelPath: String) throws -> DatasetMatch {
        guard ExactString.same(itemIDs, dataset.items.ids) else {
            throw ModelBundleError.vocabularyMismatch(model: modelPath, dataset: datasetPath)
        }
        let evaluatedPath = URL(fileURLWithPath: datasetPath).standardizedFileURL.path
        return self.datasetPath == evaluatedPath ? .sameDirectory : .otherDirectory(trainedOn: self.datasetPath)
    }

    /// Whether `url` is a model directory (it has a config.json).
    public static func holdsModel(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path)
    }

    /// Every name a model directory may hold: the bundle, the weights, the training log and checkpoint, the
    /// retrieval index, and `mind compare`'s note of its budget.
    public static let ownFileNames: Set<String> = [
        "config.json", "schema.json", "items.txt", "popularity.json", "weights.safetensors", "metrics.json", "training_log.jsonl",
        "checkpoint", "index", "compare_budget.txt",
    ]

    /// Refuses to replace a model directory that holds anything else: replacing it would delete those files.
    public static func checkHoldsOnlyModelFiles(_ url: URL) throws {
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        let others = contents.filter { !ownFileNames.contains($0) }
        guard others.isEmpty else { throw ModelBundleError.holdsOtherFiles(url.path, others) }
    }

    /// Makes `url` ready for a new model: an absent or empty directory is fine; an old model directory is
    /// emptied only when `replace` is true; anything else is refused, so no user file is ever deleted.

    /// `ownedByCaller`: the directory belongs to the command (`mind compare`'s and `mind demo`'s model directories
    /// inside their own workspace), so whatever else it holds goes too.
    public static func prepareOutputDirectory(_ url: URL, replace: Bool, ownedByCaller: Bool = false) throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: url.path) else { return }
        let contents = (try? manager.contentsOfDirectory(atPath: url.path)) ?? []
        if contents.isEmpty { return }
        guard holdsModel(url) else { throw ModelBundleError.notAModelDirectory(url.path) }
        guard replace else { throw ModelBundleError.holdsAModel(url.path) }
        if !ownedByCaller { try checkHoldsOnlyModelFiles(url) }
        for name in contents { try manager.removeItem(at: url.appendingPathComponent(name)) }
    }
}

/// The model directory's training log (`training_log.jsonl`, one JSON line per epoch) and metrics summary
/// (`metrics.json`).
public enum TrainingLog {
    /// The summary written to `metrics.json` after every epoch.
    public struct Metrics: Codable, Equatable, Sendable {
        public var epochs: [EpochRecord]
        /// 1-based epoch of the best validation Recall@50, if validated.
        public var bestEpoch: Int?
        public var bestValidationRecallAt50: Double?
        public var finished: Bool
    }

    /// Appends one epoch's record as a JSON line.
    public static func append(_ record: EpochRecord, to directory: URL) throws {
        let url = directory.appendingPathComponent("training_log.jsonl")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(record)
        line.append(0x0A)
        if let handle = try? FileHandle(forWritingTo: url) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } else {
            try line.write(to: url)
        }
    }

    /// The summary of a run's state.
    public static func metrics(of state: TrainerState) -> Metrics {
        Metrics(epochs: state.history, bestEpoch: state.bestEpoch >= 0 ? state.bestEpoch + 1 : nil,
                bestValidationRecallAt50: state.bestEpoch >= 0 ? state.bestRecall : nil, finished: state.finished)
    }

    /// Writes `metrics.json` atomically.
    public static func writeMetrics(_ state: TrainerState, to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(metrics(of: state)), to: directory.appendingPathComponent("metrics.json"))
    }
}

extension TrainingLog {
    /// Reads `metrics.json` from a model directory; nil when the directory has none (a model trained elsewhere).
    public static func readMetrics(from directory: URL) throws -> Metrics? {
        let url = directory.appendingPathComponent("metrics.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONProblem.decode(Metrics.self, from: Data(contentsOf: url)) { ModelBundleError.malformed(url.path, $0) }
    }
}
