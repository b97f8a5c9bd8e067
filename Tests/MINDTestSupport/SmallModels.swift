import Foundation
import MINDData
import MINDModels

/// Planted-interest data and small, quickly trained models: the fixtures of the end-to-end tests.
public enum SmallModels {
    /// Synthetic logs with planted interests, prepared with the users split 8:1:1.
    public static func plantedDataset(
        users: Int, items: Int, topics: Int, meanLength: Double, minLength: Int, seed: UInt64 = 5
    ) throws -> Dataset {
        let logs = SyntheticLogs.generate(
            SyntheticConfig(users: users, items: items, topics: topics, interestsPerUser: 2...4, meanLength: meanLength,
                            minLength: minLength, topicStickiness: 0.3),
            seed: seed)
        return try logs.dataset(options: PrepareOptions(split: .users, splitRatios: [8, 1, 1], seed: seed))
    }

    /// A model of `kind` (d = 16, an MLP of 32, 64 sampled negatives, learning rate 0.01, seed 9) trained
    /// for `epochs` on `data`, with its checkpoints in `directory` when given.
    public static func train(_ kind: ModelKind, on data: Dataset, epochs: Int, directory: URL? = nil) throws -> RecommenderModel {
        let config = try ModelConfig([
            "model": kind.rawValue, "embedding-size": "16", "mlp-hidden": "32", "negatives": "64",
            "epochs": "\(epochs)", "learning-rate": "0.01", "seed": "9",
        ])
        let model = RecommenderModel(config: config, schema: DataSchema(dataset: data))
        try Trainer(model: model, data: TrainingData(dataset: data), directory: directory).train()
        return model
    }

    /// Writes the model directory files (config, schema, items, popularity) of `model`, trained on `data`.
    public static func writeBundle(of model: RecommenderModel, trainedOn data: Dataset, to directory: URL) throws {
        try ModelBundle(config: model.config, schema: model.schema, itemIDs: data.items.ids, datasetPath: "memory",
                        itemPopularity: data.itemTrainingCounts()).write(to: directory)
    }

    /// A `kind` model trained for `epochs` on planted data and written, with its checkpoints, to a new directory
    /// under the temporary directory: the model directory the serving tests load, built once per test process
    /// by a fixture. A fixture that cannot be built is a broken test set-up, not a test result: it stops.
    public static func trainedDirectory(
        prefix: String, users: Int, items: Int, topics: Int, meanLength: Double, minLength: Int, epochs: Int,
        kind: ModelKind = .mind
    ) -> TrainedDirectory {
        do {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
            let data = try plantedDataset(users: users, items: items, topics: topics, meanLength: meanLength, minLength: minLength)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let model = try train(kind, on: data, epochs: epochs, directory: directory)
            try writeBundle(of: model, trainedOn: data, to: directory)
            return TrainedDirectory(data: data, directory: directory)
        } catch {
            preconditionFailure("The \(prefix) test model could not be trained: \(error)")
        }
    }
}

/// A trained model directory and the dataset it was trained on.
public struct TrainedDirectory: @unchecked Sendable {
    public let data: Dataset
    public let directory: URL
}
