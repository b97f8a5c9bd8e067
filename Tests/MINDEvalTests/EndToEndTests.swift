import Foundation
import Testing
import MINDCore
import MINDData
import MINDModels
import MINDTestSupport
@testable import MINDEval

/// Synthetic logs with planted interests -> dataset -> MIND, YouTubeDNN and ComiRec-DR -> full-catalogue
/// metrics and batch recommendations, all in memory or in a temporary directory.
@Suite("End to end on planted interests", .serialized)
struct EndToEndTests {
    static func plantedDataset() throws -> Dataset {
        try SmallModels.plantedDataset(users: 600, items: 300, topics: 12, meanLength: 40, minLength: 20)
    }

    static func train(_ kind: ModelKind, on data: Dataset, directory: URL? = nil) throws -> RecommenderModel {
        try SmallModels.train(kind, on: data, epochs: 3, directory: directory)
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
        try SmallModels.writeBundle(of: model, trainedOn: data, to: directory)
        let (loaded, _) = try ModelBundle.loadModel(from: directory)
        #expect(loaded.config.model == .comirecDR)
        for (a, b) in zip(model.parameters, loaded.parameters) { #expect(a.name == b.name && a.value == b.value) }
        let recall = try ModelEvaluation.evaluate(loaded, dataset: data, split: .test, cutoffs: [20])[cutoff: 20]!.recall
        let popular = try ModelEvaluation.evaluateMostPopular(dataset: data, split: .test, cutoffs: [20])[cutoff: 20]!.recall
        print("planted end to end Recall@20: ComiRec-DR \(recall), MostPopular \(popular)")
        #expect(recall > 1.5 * popular)
    }
}
