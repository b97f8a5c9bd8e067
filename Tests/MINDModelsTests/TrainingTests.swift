import Foundation
import Testing
import MINDCore
import MINDNN
import MINDData
@testable import MINDModels

@Suite("Training: gradients, resume, threads, planted interests")
struct TrainingTests {
    func smallConfig() -> ModelConfig {
        var config = ModelConfig()
        config.embeddingSize = 8
        config.interestCount = 3
        config.maxHistoryLength = 6
        config.mlpHidden = [12]
        config.negatives = 5
        config.batchSize = 16
        config.epochs = 2
        config.seed = 11
        return config
    }

    @Test("gradient of the whole loss matches finite differences (model, sampler, negative scoring, shared negatives)", arguments: [
        (ModelKind.mind, NegativeSampler.full, NegativeScoring.attended, true), (.mind, .logUniform, .attended, true),
        (.mind, .full, .maxInterest, true), (.mind, .logUniform, .maxInterest, true), (.mind, .logUniform, .maxInterest, false),
        (.comirecDR, .logUniform, .attended, true), (.comirecDR, .full, .maxInterest, true),
        (.comirecSA, .logUniform, .attended, true), (.comirecSA, .full, .maxInterest, true),
        (.sdm, .logUniform, .attended, true), (.sasrec, .logUniform, .attended, true), (.gru4rec, .full, .attended, true),
    ])
    func wholeLossGradient(setting: (model: ModelKind, sampler: NegativeSampler, scoring: NegativeScoring, shared: Bool)) {
        // SASRec layer-normalises item vectors of norm ~0.1 (embeddings drawn at 0.05), so a step of 1e-2 moves
        // a normalised input by ~10%, across the kinks of the feed-forward ReLUs; 1e-4 stays clear of them.
        checkWholeLossGradient(setting, step: setting.model == .sasrec ? 1e-4 : 1e-2)
    }

    @Test("gradient of the whole loss matches finite differences for each capsule bilinear map", arguments: [
        (ModelKind.mind, CapsuleBilinear.perInterest), (.mind, .perPosition), (.comirecDR, .shared), (.comirecDR, .perPosition),
    ])
    func capsuleVariantGradient(setting: (model: ModelKind, bilinear: CapsuleBilinear)) {
        checkWholeLossGradient((setting.model, .logUniform, .attended, true), bilinear: setting.bilinear)
    }

    @Test("gradient of the whole loss matches finite differences with a GRU in front of routing", arguments: [ModelKind.mind, .comirecDR])
    func sequenceEncoderGradient(model: ModelKind) {
        checkWholeLossGradient((model, .logUniform, .attended, true), encoder: .gru)
    }

    @Test("gradient of the loss with the interest regularisers matches finite differences", arguments: [
        (ModelKind.mind, Float(0.5), Float(0)), (.mind, 0, 3), (.mind, 0.5, 3), (.comirecDR, 0.5, 3),
    ])
    func regularisedLossGradient(setting: (model: ModelKind, diversity: Float, routing: Float)) {
        // A smaller step: cos^2 of normalised vectors curves more than the softmax loss alone.
        checkWholeLossGradient((setting.model, .logUniform, .attended, true), diversity: setting.diversity, routing: setting.routing, step: 4e-3)
    }

    /// Central finite differences of the whole training loss against its tape gradient, for every dense parameter.
    func checkWholeLossGradient(
        _ setting: (model: ModelKind, sampler: NegativeSampler, scoring: NegativeScoring, shared: Bool),
        diversity: Float = 0, routing: Float = 0, bilinear: CapsuleBilinear = .modelDefault, encoder: SequenceEncoder = .none,
        step: Float = 1e-2
    ) {
        let sampler = setting.sampler
        var config = smallConfig()
        config.bilinear = bilinear
        config.sequenceEncoder = encoder
        config.trainAllPositions = false  // one target per history here; SequenceTowerTests checks the all-positions loss
        config.maxHistoryLength = 4  // the batch's length: position embeddings and per-position maps are sized by it
        config.shortTermLength = 2  // SDM: two session items, the rest long-term
        config.interestDiversityWeight = diversity
        config.routingRegularisationWeight = routing
        config.model = setting.model
        config.embeddingSize = 4
        config.interestCount = 2
        config.dynamicInterestCount = false
        config.mlpHidden = [5]
        config.attentionPower = 1
        config.stopGradientThroughRouting = false  // the true derivative, comparable with finite differences
        config.sampler = sampler
        config.negativeScoring = setting.scoring
        config.sharedNegatives = setting.shared
        let profileSpec = UserFeatureSpec(name: "age", vocabulary: ["?", "young", "old"])
        let genre = CategoricalFeature(name: "genre", vocabulary: [CategoricalFeature.unknown, "a", "b"], offsets: [0, 1, 3, 3, 4, 5, 6],
                                       values: [1, 1, 2, 2, 1, 2], isMultiValued: true)
        let schema = DataSchema(itemCount: 6, itemFeatures: [genre], userFeatures: [profileSpec])
        let model = RecommenderModel(config: config, schema: schema)
        let sampling = NegativeSampling(kind: sampler, popularity: [5, 4, 3, 2, 1, 1])
        let batch = UserBatch(histories: [[0, 1, 2], [3, 4, 5, 1]], profiles: [1, 2], maxLength: 4, routingSeeds: [3, 4])
        let checked = checkLossGradient(model, batch: batch, targets: [4, 0], sampling: sampling, step: step)
        #expect(checked > 50)  // ComiRec-DR with one shared map has 52 parameters here, MIND over 100
    }

    func trainingData() -> (PlantedInterests, TrainingData) {
        let planted = PlantedInterests(users: 60, topics: 4, itemsPerTopic: 10, length: 8...14, seed: 2)
        let data = TrainingData(sequences: planted.sequences, users: (0..<60).map { Int32($0) }, profiles: [], profileFeatureCount: 0, itemCount: planted.itemCount)
        return (planted, data)
    }

    @Test func resumeReachesTheSameWeightsAsAnUnbrokenRun() throws {
        let (planted, data) = trainingData()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let unbroken = RecommenderModel(config: smallConfig(), schema: planted.schema)
        try Trainer(model: unbroken, data: data, directory: nil).train()

        let first = Trainer(model: RecommenderModel(config: smallConfig(), schema: planted.schema), data: data, directory: directory)
        var batches = 0
        first.shouldStop = { batches += 1; return batches == 7 }  // stop in the middle of epoch 0
        let outcome = try first.train()
        #expect(outcome == .interrupted(epoch: 0, batch: 7))
        let resumedModel = RecommenderModel(config: smallConfig(), schema: planted.schema)
        let second = Trainer(model: resumedModel, data: data, directory: directory)
        try second.resume()
        #expect(try second.train() == .finished)
        for (a, b) in zip(unbroken.parameters, resumedModel.parameters) { #expect(a.value == b.value, "\(a.name)") }
    }

    @Test("learning-rate-decay: epoch e steps at learning-rate * decay^e, so the first epoch is unchanged and the second is not; resuming in the second epoch matches an unbroken run")
    func learningRateDecaysPerEpoch() throws {
        let (planted, data) = trainingData()
        func config(decay: Float, epochs: Int) -> ModelConfig {
            var config = smallConfig()
            config.learningRateDecay = decay
            config.epochs = epochs
            return config
        }
        func train(decay: Float, epochs: Int) throws -> (model: RecommenderModel, learningRate: Float) {
            let model = RecommenderModel(config: config(decay: decay, epochs: epochs), schema: planted.schema)
            let trainer = Trainer(model: model, data: data, directory: nil)
            try trainer.train()
            return (model, trainer.optimizer.learningRate)
        }
        let constantOne = try train(decay: 1, epochs: 1), decayedOne = try train(decay: 0.5, epochs: 1)
        #expect(decayedOne.learningRate == 0.001)
        for (a, b) in zip(constantOne.model.parameters, decayedOne.model.parameters) { #expect(a.value == b.value, "\(a.name)") }
        let constantTwo = try train(decay: 1, epochs: 2), decayedTwo = try train(decay: 0.5, epochs: 2)
        #expect(constantTwo.learningRate == 0.001 && decayedTwo.learningRate == 0.0005)
        #expect(zip(constantTwo.model.parameters, decayedTwo.model.parameters).contains { $0.value != $1.value })

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = Trainer(model: RecommenderModel(config: config(decay: 0.5, epochs: 2), schema: planted.schema), data: data, directory: directory)
        first.shouldStop = { [unowned first] in first.state.epoch == 1 && first.state.batch == 3 }
        #expect(try first.train() == .interrupted(epoch: 1, batch: 3))
        let resumedModel = RecommenderModel(config: config(decay: 0.5, epochs: 2), schema: planted.schema)
        let second = Trainer(model: resumedModel, data: data, directory: directory)
        try second.resume()
        #expect(try second.train() == .finished)
        for (a, b) in zip(decayedTwo.model.parameters, resumedModel.parameters) { #expect(a.value == b.value, "\(a.name)") }
    }

    @Test("1, 2, 3 and 8 threads (more than this machine's cores) give the same weights; so do more shards than threads")
    func anyThreadCountGivesTheSameWeights() throws {
        let (planted, data) = trainingData()
        func train(threads: Int, shards: Int, targetWindow: Int = 1) throws -> RecommenderModel {
            var config = smallConfig()
            config.threads = threads
            config.shards = shards
            config.targetWindow = targetWindow
            let model = RecommenderModel(config: config, schema: planted.schema)
            try Trainer(model: model, data: data, directory: nil).train()
            return model
        }
        let single = try train(threads: 1, shards: 2)
        for threads in [2, 3, 8] {
            let other = try train(threads: threads, shards: 2)
            for (a, b) in zip(single.parameters, other.parameters) { #expect(a.value == b.value, "\(a.name), \(threads) threads") }
        }
        let fourShardsOneThread = try train(threads: 1, shards: 4)
        let fourShardsEightThreads = try train(threads: 8, shards: 4)
        for (a, b) in zip(fourShardsOneThread.parameters, fourShardsEightThreads.parameters) { #expect(a.value == b.value, "\(a.name), 4 shards") }
        // Target-window draws come from each shard's generator, not from the thread that runs it.
        let windowOneThread = try train(threads: 1, shards: 2, targetWindow: 3)
        let windowThreeThreads = try train(threads: 3, shards: 2, targetWindow: 3)
        for (a, b) in zip(windowOneThread.parameters, windowThreeThreads.parameters) { #expect(a.value == b.value, "\(a.name), target window") }
        #expect(zip(windowOneThread.parameters, single.parameters).contains { $0.value != $1.value })  // the window changed training
    }

    @Test("target-window N draws each target from the N items starting at the next one; 1 keeps the next item",
          arguments: [ModelKind.mind, .sasrec])
    func targetWindowDrawsFromTheComingItems(model: ModelKind) {
        // Item i stands at index i - 1, so a target's value tells where in the sequence it was drawn from.
        let sequence = (1...40).map { Int32($0) }
        let data = TrainingData(sequences: [sequence], users: [0], profiles: [], profileFeatureCount: 0, itemCount: 41)
        func batchTargets(window: Int, seed: UInt64) -> (targets: [Int32], naturalIndices: [Int]) {
            var config = smallConfig()
            config.model = model
            config.targetWindow = window
            let trainer = Trainer(model: RecommenderModel(config: config, schema: DataSchema(itemCount: 41, itemFeatures: [], userFeatures: [])),
                                  data: data, directory: nil)
            let units = trainer.units
            var generator = SeededGenerator(seed: seed)
            let (_, targets, seen) = trainer.makeBatch(units, generator: &generator)
            #expect(seen.isEmpty)  // softmax-excludes-history is off by default
            // The index each target would have with window 1: the sample's position, or every window position.
            let natural = units.flatMap { unit -> [Int] in
                let position = Int(unit.position)
                return trainer.model.trainsAllPositions ? Array((max(0, position - config.maxHistoryLength) + 1)...position) : [position]
            }
            return (targets, natural)
        }
        let next = batchTargets(window: 1, seed: 3)
        #expect(next.targets.map { Int($0) - 1 } == next.naturalIndices)
        let drawn = batchTargets(window: 5, seed: 3)
        #expect(drawn.naturalIndices == next.naturalIndices)
        for (target, natural) in zip(drawn.targets, drawn.naturalIndices) {
            let offset = Int(target) - 1 - natural
            #expect(offset >= 0 && offset < min(5, sequence.count - natural), "target \(target) for index \(natural)")
        }
        #expect(Set(zip(drawn.targets, drawn.naturalIndices).map { Int($0) - 1 - $1 }) == Set(0..<5))  // every offset occurs
        let lastItemTargets = zip(drawn.targets, drawn.naturalIndices).filter { $0.1 == sequence.count - 1 }.map(\.0)
        #expect(lastItemTargets == [40])  // the last item has nothing after it
        #expect(batchTargets(window: 5, seed: 3).targets == drawn.targets)  // the same draws for the same seed
        #expect(batchTargets(window: 5, seed: 4).targets != drawn.targets)
    }

    @Test("softmax-excludes-history lists, for every target, the whole sequence up to the end of its target window",
          arguments: [ModelKind.mind, .sasrec])
    func seenListsAreEachTargetsEarlierAndWindowItems(model: ModelKind) {
        let sequence = (1...40).map { Int32($0) }  // item i at index i - 1
        let data = TrainingData(sequences: [sequence], users: [0], profiles: [], profileFeatureCount: 0, itemCount: 41)
        var config = smallConfig()
        config.model = model
        config.softmaxExcludesHistory = true
        config.targetWindow = 4
        let trainer = Trainer(model: RecommenderModel(config: config, schema: DataSchema(itemCount: 41, itemFeatures: [], userFeatures: [])),
                              data: data, directory: nil)
        let units = trainer.units
        var generator = SeededGenerator(seed: 5)
        let (batch, targets, seen) = trainer.makeBatch(units, generator: &generator)
        #expect(seen.count == targets.count)
        // Each input's end: a sample's position, or every position of an all-positions window.
        let ends = units.flatMap { unit -> [Int] in
            let position = Int(unit.position)
            return trainer.model.trainsAllPositions ? Array((max(0, position - config.maxHistoryLength) + 1)...position) : [position]
        }
        for (index, end) in ends.enumerated() {
            // The earlier items, then the window of 4 the target was drawn from (fewer at the sequence's end).
            #expect(Array(seen[index]) == Array(sequence[0..<min(end + 4, sequence.count)]), "target \(index)")
            #expect(seen[index].suffix(min(4, sequence.count - end)).contains(targets[index]), "target \(index) is from its window")
        }
        // Longer than the tower's input: the seen list reaches before the window.
        #expect(seen.contains { $0.count > config.maxHistoryLength })
        #expect(batch.size == units.count)
    }

    @Test("window-stride: each window's targets are its last stride positions; batches say how many each sample trains")
    func stridedWindowsTrainTheirLastPositions() {
        let sequence = (1...40).map { Int32($0) }  // item i at index i - 1
        let data = TrainingData(sequences: [sequence], users: [0], profiles: [], profileFeatureCount: 0, itemCount: 41)
        var config = smallConfig()
        config.model = .gru4rec
        config.windowStride = 2
        let trainer = Trainer(model: RecommenderModel(config: config, schema: DataSchema(itemCount: 41, itemFeatures: [], userFeatures: [])),
                              data: data, directory: nil)
        let units = trainer.units
        #expect(units.count == 20 && trainer.unitsPerBatch == 8)  // ends 39, 37, ..., 1; 16 targets a batch
        var generator = SeededGenerator(seed: 5)
        let (batch, targets, _) = trainer.makeBatch(units, generator: &generator)
        let expected = units.flatMap { unit in unit.trainedTargets(stride: 2).map { sequence[$0] } }
        #expect(targets == expected && targets.count == 39)
        #expect(batch.trainedPositions == units.map { $0.position == 1 ? 1 : 2 })
        #expect(batch.historyCounts == units.map { min(Int($0.position), config.maxHistoryLength) })
    }

    @Test("softmax-excludes-history changes training and gives the same weights on 1 and 3 threads")
    func excludingHistoryIsReproducible() throws {
        let (planted, data) = trainingData()
        func train(threads: Int, excludes: Bool, model: ModelKind) throws -> RecommenderModel {
            var config = smallConfig()
            config.model = model
            config.threads = threads
            config.shards = 2
            config.softmaxExcludesHistory = excludes
            let recommender = RecommenderModel(config: config, schema: planted.schema)
            try Trainer(model: recommender, data: data, directory: nil).train()
            return recommender
        }
        for model in [ModelKind.mind, .gru4rec] {
            let one = try train(threads: 1, excludes: true, model: model), three = try train(threads: 3, excludes: true, model: model)
            for (a, b) in zip(one.parameters, three.parameters) { #expect(a.value == b.value, "\(model) \(a.name)") }
            let plain = try train(threads: 1, excludes: false, model: model)
            #expect(zip(one.parameters, plain.parameters).contains { $0.value != $1.value }, "\(model)")
        }
    }

    @Test func multipleInterestsRecoverPlantedTopicsBetterThanOne() throws {
        let planted = PlantedInterests(users: 500, topics: 12, itemsPerTopic: 25, length: 30...50, seed: 9)
        let trainUsers = Array(planted.sequences.prefix(400)), testUsers = Array(planted.sequences.suffix(100))
        let data = TrainingData(sequences: trainUsers, users: (0..<400).map { Int32($0) }, profiles: [], profileFeatureCount: 0, itemCount: planted.itemCount)
        func recall(interests: Int) throws -> Double {
            var config = ModelConfig()
            config.embeddingSize = 16
            config.interestCount = interests
            config.mlpHidden = [32]
            config.negatives = 64
            config.epochs = 3
            config.learningRate = 0.01
            config.seed = 3
            let model = RecommenderModel(config: config, schema: planted.schema)
            try Trainer(model: model, data: data, directory: nil).train()
            return tailRecall(model, sequences: testUsers, n: 20)
        }
        let one = try recall(interests: 1)
        let four = try recall(interests: 4)
        print("planted Recall@20: K=4 \(four), K=1 \(one)")
        #expect(four > one * 1.05, "Recall@20: K=4 \(four), K=1 \(one)")
    }
}
