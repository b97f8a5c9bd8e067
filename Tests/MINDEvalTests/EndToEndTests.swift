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

    @Test func batchRecommendationKeepsTheContract() throws {
        let data = try Self.plantedDataset()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try Self.train(.mind, on: data, directory: directory)
        try ModelBundle(config: model.config, schema: model.schema, itemIDs: data.items.ids, datasetPath: "memory",
                        itemPopularity: data.itemTrainingCounts()).write(to: directory)
        let (loaded, bundle) = try ModelBundle.loadModel(from: directory)
        for (a, b) in zip(model.parameters, loaded.parameters) { #expect(a.value == b.value) }
        let engine = BatchRecommender(model: loaded, bundle: bundle)

        let history = data.evaluationCases(.test)[0].history.map { data.items.ids[Int($0)] }
        let input = directory.appendingPathComponent("in.jsonl")
        let lines = [
            #"{"user": "a", "items": \#(jsonArray(history))}"#,
            #"{"user": 17, "items": [\#(history[0]), "no-such-item", \#(history[1])]}"#,
            #"{"user": "cold", "items": ["no-such-item"]}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("out.jsonl")
        let (users, unknown, _) = try engine.recommendFile(input: input, output: output, top: 25)
        #expect(users == 3)
        #expect(unknown == 2)
        let results = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(BatchRecommender.Result.self, from: Data($0.utf8))
        }
        #expect(results.map(\.user) == ["a", "17", "cold"])
        for (result, excluded) in zip(results, [Set(history), Set(history.prefix(2)), []]) {
            #expect(result.items.count == 25)
            #expect(Set(result.items).count == 25, "no duplicates")
            #expect(Set(result.items).isDisjoint(with: excluded), "history excluded")
            #expect(result.scores == result.scores.sorted(by: >), "best first")
            #expect(result.interests.count == 25)
        }
        #expect(results[2].interests.allSatisfy { $0 == -1 }, "no known item: popularity fallback")
        // Same history, same answer, whatever the batch.
        let (single, _) = engine.recommend([.init(user: "a", items: history)], top: 25)
        #expect(single[0] == results[0])
    }

    @Test("a malformed line fails with its line number and leaves no output", arguments: [
        (#"{"user": "x", "items": "1"}"#, "\"items\""),
        (#"{"items": ["1"]}"#, "missing \"user\""),
        (#"{"user": true, "items": []}"#, "\"user\""),
        (#"not json"#, "not a JSON object"),
        (#"{"user": "x", "items": [1.5]}"#, "items"),
    ])
    func malformedLine(line: String, mentions: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.jsonl")
        try (#"{"user": "ok", "items": ["1", 2]}"# + "\n\n" + line + "\n").write(to: input, atomically: true, encoding: .utf8)
        do {
            _ = try HistoryFile.read(input)
            Issue.record("expected an error for \(line)")
        } catch let error as RecommendError {
            #expect(error.description.contains("in.jsonl:3:"), "\(error)")
            #expect(error.description.contains(mentions), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["in.jsonl"])
    }

    @Test func integerAndStringIdsAreTheSame() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.jsonl")
        try (#"{"user": 7, "items": [3, "9"], "profile": {"age": 25}}"# + "\r\n").write(to: input, atomically: true, encoding: .utf8)
        let requests = try HistoryFile.read(input)
        #expect(requests == [.init(user: "7", items: ["3", "9"], profile: ["age": "25"])])
    }
}

private func jsonArray(_ ids: [String]) -> String {
    "[" + ids.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
}
