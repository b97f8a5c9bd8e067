import Foundation
import MINDCore
import MINDData
import MINDModels
@testable import MINDServing

/// One small MIND model trained on planted interests and saved to a model directory, shared by the tests
/// of this target (trained once per test process).
enum Fixture {
    struct Trained: @unchecked Sendable {
        let data: Dataset
        let directory: URL
    }

    static let trained: Trained = {
        let logs = SyntheticLogs.generate(
            SyntheticConfig(users: 400, items: 200, topics: 10, interestsPerUser: 2...4, meanLength: 30, minLength: 12, topicStickiness: 0.3),
            seed: 5)
        // A fixture that cannot be built is a broken test set-up, not a test result.
        guard let data = try? logs.dataset(options: PrepareOptions(split: .users, splitRatios: [8, 1, 1], seed: 5)) else {
            preconditionFailure("The planted dataset of the serving tests could not be built.")
        }
        var config = ModelConfig()
        config.embeddingSize = 16
        config.mlpHidden = [32]
        config.negatives = 64
        config.epochs = 2
        config.learningRate = 0.01
        config.seed = 9
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-serving-\(UUID().uuidString)")
        do {
            let model = RecommenderModel(config: config, schema: DataSchema(dataset: data))
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Trainer(model: model, data: TrainingData(dataset: data), directory: directory).train()
            try ModelBundle(config: config, schema: model.schema, itemIDs: data.items.ids, datasetPath: "memory",
                            itemPopularity: data.itemTrainingCounts()).write(to: directory)
        } catch {
            preconditionFailure("The serving tests' model could not be trained: \(error)")
        }
        return Trained(data: data, directory: directory)
    }()

    /// A fresh recommender over the fixture's model directory.
    static func recommender(threads: Int = 2) throws -> Recommender {
        try Recommender(directory: trained.directory, threads: threads)
    }

    /// The external ids of items.
    static func ids(_ items: [Int32]) -> [String] { items.map { trained.data.items.ids[Int($0)] } }

    /// A scratch directory removed by the caller.
    static func scratchDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-serving-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
