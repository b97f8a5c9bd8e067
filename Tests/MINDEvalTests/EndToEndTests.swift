import Foundation
import Testing
import MINDCore
import MINDData
import MINDModels
@testable import MINDEval

/// Synthetic logs with planted interests -> dataset -> MIND, YouTubeDNN and ComiRec-DR -> full-catalogue
/// metrics and batch recommendations, all in memory or in a temporary directory.
@Suite("End to end on planted interests", .serialized)
struct EndToEndTests {
    static func plantedDataset() throws -> Dataset {
        let logs = SyntheticLogs.generate(
            SyntheticConfig(users: 600, items: 300, topics: 12, interestsPerUser: 2...4, meanLength: 40, minLength: 20, topicStickiness: 0.3),
            seed: 5)
        return try logs.dataset(options: PrepareOptions(split: .users, splitRatios: [8, 1, 1], seed: 5))
    }

    static func train(_ kind: ModelKind, on data: Dataset, directory: URL? = nil) throws -> RecommenderModel {
        var config = ModelConfig()
        config.model = kind
        config.embeddingSize = 16
        config.mlpHidden = [32]
        config.negatives = 64
        config.epochs = 3
        config.learningRate = 0.01
        config.seed = 9
        let model = RecommenderModel(config: config, schema: DataSchema(dataset: data))
        try Trainer(model: model, data: TrainingData(dataset: data), directory: directory).train()
        return model
    }

    @Test func mindRecoversPlantedInterestsBetterThanOneVectorAndPopularity() throws {
        let data = try Self.plantedDataset()
        let mind = try ModelEvaluation.evaluate(try Self.train(.mind, on: data), dataset: data, split: .test, cutoffs: [20])
        let youtube = try ModelEvaluation.evaluate(try Self.train(.youtubednn, on: data), dataset: data, split: .test, cutoffs: [20])
        let popular = try ModelEvaluation.evaluateMostPopular(dataset: data, split: .test, cutoffs: [20])
        let (m, y, p) = (mind[cutoff: 20]!.recall, youtube[cutoff: 20]!.recall, popular[cutoff: 20]!.recall)
        print("planted end to end Recall@20: MIND \(m), YouTubeDNN \(y), MostPopular \(p)")
        #expect(m > y)
        #expect(m > 1.5 * p)
    }

    @Test func comiRecDRLearnsPlantedInterestsAndSurvivesASaveAndLoad() throws {
        let data = try Self.plantedDataset()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-comirec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try Self.train(.comirecDR, on: data, directory: directory)
        try ModelBundle(config: model.config, schema: model.schema, itemIDs: data.items.ids, datasetPath: "memory",
                        itemPopularity: data.itemTrainingCounts()).write(to: directory)
        let (loaded, _) = try ModelBundle.loadModel(from: directory)
        #expect(loaded.config.model == .comirecDR)
        for (a, b) in zip(model.parameters, loaded.parameters) { #expect(a.name == b.name && a.value == b.value) }
        let recall = try ModelEvaluation.evaluate(loaded, dataset: data, split: .test, cutoffs: [20])[cutoff: 20]!.recall
        let popular = try ModelEvaluation.evaluateMostPopular(dataset: data, split: .test, cutoffs: [20])[cutoff: 20]!.recall
        print("planted end to end Recall@20: ComiRec-DR \(recall), MostPopular \(popular)")
        #expect(recall > 1.5 * popular)
    }
}
