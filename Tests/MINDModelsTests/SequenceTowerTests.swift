import Foundation
import Testing
import MINDCore
import MINDData
@testable import MINDModels
import MINDTestSupport

@Suite("ComiRec-SA, SDM, SASRec, GRU4Rec towers and the capsule bilinear variants")
struct SequenceTowerTests {
    let genre = CategoricalFeature(name: "genre", vocabulary: [CategoricalFeature.unknown, "a", "b", "c"],
                                   offsets: (0...30).map { Int32($0) }, values: (0..<30).map { Int32(1 + $0 % 3) }, isMultiValued: true)
    var schema: DataSchema {
        DataSchema(itemCount: 30, itemFeatures: [genre], userFeatures: [UserFeatureSpec(name: "age", vocabulary: ["?", "young", "old"])])
    }

    func config(_ model: ModelKind, length: Int = 8, bilinear: CapsuleBilinear = .modelDefault) -> ModelConfig {
        var config = ModelConfig()
        config.model = model
        config.embeddingSize = 8
        config.interestCount = 3
        config.maxHistoryLength = length
        config.mlpHidden = [12]
        config.shortTermLength = 3
        config.bilinear = bilinear
        return config
    }

    /// The user tower's output for a hand-built batch (padding slots as given).
    func interests(_ model: RecommenderModel, _ batch: UserBatch) -> Tensor {
        let tape = Tape()
        let items = model.items(tape, (0..<Int32(model.items.itemCount)).map { $0 })
        let behaviours = tape.gather(items, indices: batch.histories, indexShape: [batch.size, batch.length])
        return model.users.interests(tape, batch: batch, behaviours: behaviours).vectors.value
    }

    static let variants: [(ModelKind, CapsuleBilinear)] = ModelKind.allCases.map { ($0, .modelDefault) }
        + [(.mind, .perInterest), (.mind, .perPosition), (.comirecDR, .shared), (.comirecDR, .perPosition)]

    @Test("a GRU in front of routing: padding and batch neighbours still change nothing", arguments: [ModelKind.mind, .comirecDR])
    func encoderKeepsPaddingInvariance(model kind: ModelKind) {
        var settings = config(kind)
        settings.sequenceEncoder = .gru
        let model = RecommenderModel(config: settings, schema: schema)
        let history: ArraySlice<Int32> = [3, 9, 4, 17, 22]
        let alone = UserBatch(histories: [history], profiles: model.usesProfile ? [1] : [], maxLength: 8, routingSeeds: [5])
        var otherPadding = alone
        for slot in 5..<8 { otherPadding.histories[slot] = Int32(20 + slot) }
        #expect(interests(model, otherPadding).maxAbsoluteDifference(interests(model, alone)) < 1e-5)
        // The encoder reads order: the same items in another order give other interests.
        let reversed = UserBatch(histories: [ArraySlice(history.reversed())], profiles: model.usesProfile ? [1] : [], maxLength: 8, routingSeeds: [5])
        #expect(interests(model, reversed).maxAbsoluteDifference(interests(model, alone)) > 1e-4)
    }

    @Test("what padding slots hold and which users share the batch change nothing", arguments: variants)
    func paddingAndNeighbours(setting: (model: ModelKind, bilinear: CapsuleBilinear)) {
        let model = RecommenderModel(config: config(setting.model, bilinear: setting.bilinear), schema: schema)
        let history: ArraySlice<Int32> = [3, 9, 4, 17, 22]
        let alone = UserBatch(histories: [history], profiles: model.usesProfile ? [1] : [], maxLength: 8, routingSeeds: [5])
        var otherPadding = alone
        for slot in 5..<8 { otherPadding.histories[slot] = Int32(20 + slot) }
        let base = interests(model, alone)
        #expect(base.storage.allSatisfy { $0.isFinite })
        #expect(interests(model, otherPadding).maxAbsoluteDifference(base) < 1e-5)
        let withNeighbour = UserBatch(histories: [history, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], profiles: model.usesProfile ? [1, 2] : [],
                                      maxLength: 8, routingSeeds: [5, 6])
        #expect(Array(interests(model, withNeighbour).storage.prefix(base.count)) == base.storage)
    }

    /// Serving encodes with row-independent products: a history's interests are the same bits alone as anywhere in a
    /// batch large enough for the training kernels to switch to BLAS (70 histories x 8 positions).
    @Test("encode gives a history the same bits alone as in a batch of 70, at any place", arguments: variants)
    func encodingDoesNotDependOnTheBatch(setting: (model: ModelKind, bilinear: CapsuleBilinear)) {
        var settings = config(setting.model, bilinear: setting.bilinear)
        for encoder in setting.model == .mind ? [SequenceEncoder.none, .gru] : [.none] {
            settings.sequenceEncoder = encoder
            let model = RecommenderModel(config: settings, schema: schema)
            var random = SeededGenerator(seed: 7)
            let histories: [ArraySlice<Int32>] = (0..<70).map { _ in
                ArraySlice((0..<(1 + random.nextInt(below: 12))).map { _ in Int32(random.nextInt(below: 30)) })
            }
            let profiles: [Int32] = model.usesProfile ? (0..<70).map { Int32($0 % 3) } : []
            let together = model.encode(histories: histories, profiles: profiles)
            let width = together.vectors.count / histories.count, k = together.mask.count / histories.count
            for user in [0, 1, 37, 69] {
                let alone = model.encode(histories: [histories[user]], profiles: model.usesProfile ? [profiles[user]] : [])
                #expect(Array(together.vectors.storage[(user * width)..<((user + 1) * width)]) == alone.vectors.storage,
                        "\(setting), encoder \(encoder), user \(user)")
                #expect(Array(together.mask[(user * k)..<((user + 1) * k)]) == alone.mask)
            }
        }
    }

    @Test("towers without position-sized weights give the same vectors for any max-history-length", arguments: [ModelKind.gru4rec, .sdm])
    func historyLengthChangesNothing(model kind: ModelKind) {
        let history: ArraySlice<Int32> = [3, 9, 4, 17, 22, 5]
        let short = RecommenderModel(config: config(kind, length: 6), schema: schema).encode(histories: [history], profiles: [1])
        let long = RecommenderModel(config: config(kind, length: 15), schema: schema).encode(histories: [history], profiles: [1])
        #expect(short.vectors.maxAbsoluteDifference(long.vectors) < 1e-5)
        #expect(short.mask == [1])
    }

    @Test func capsuleVariantsAgreeWhenTheirMapsAgree() {
        let b = 2, l = 3, d = 2, k = 2
        var generator = SeededGenerator(seed: 4)
        var settings = config(.comirecDR, length: l)
        settings.embeddingSize = d
        settings.interestCount = k
        let shared = CapsuleBilinearMap(name: "s", variant: .shared, config: settings, generator: &generator)
        let perInterest = CapsuleBilinearMap(name: "i", variant: .perInterest, config: settings, generator: &generator)
        let perPosition = CapsuleBilinearMap(name: "p", variant: .perPosition, config: settings, generator: &generator)
        let s = shared.map.value.storage  // [d, d]
        // Per interest: K copies of S side by side, row by row; per position: that map at every position.
        perInterest.map.value = Tensor(shape: [d, k * d], storage: (0..<d).flatMap { row in (0..<k).flatMap { _ in s[(row * d)..<((row + 1) * d)] } })
        perPosition.map.value = Tensor(shape: [l, d, k * d], storage: (0..<l).flatMap { _ in perInterest.map.value.storage })
        let tape = Tape()
        let behaviours = tape.constant(.randomNormal([b, l, d], standardDeviation: 1, using: &generator))
        let fromShared = shared(tape, behaviours: behaviours).value  // [B, L, d]
        let fromInterest = perInterest(tape, behaviours: behaviours).value  // [B*K, L, d]
        let fromPosition = perPosition(tape, behaviours: behaviours).value
        #expect(fromInterest.shape == [b * k, l, d] && fromPosition.shape == [b * k, l, d])
        #expect(fromPosition.maxAbsoluteDifference(fromInterest) < 1e-6)
        for sample in 0..<b {
            for interest in 0..<k {
                for i in 0..<(l * d) {
                    #expect(abs(fromInterest.storage[(sample * k + interest) * l * d + i] - fromShared.storage[sample * l * d + i]) < 1e-6)
                }
            }
        }
    }

    @Test func perPositionMapsUseEachPositionsOwnMap() {
        var settings = config(.comirecDR, length: 2)
        settings.embeddingSize = 2
        settings.interestCount = 1
        var generator = SeededGenerator(seed: 1)
        let map = CapsuleBilinearMap(name: "p", variant: .perPosition, config: settings, generator: &generator)
        map.map.value = Tensor(shape: [2, 2, 2], storage: [1, 0, 0, 1, 0, 1, 1, 0])  // position 0: identity; 1: swap
        let tape = Tape()
        let out = map(tape, behaviours: tape.constant(Tensor(shape: [1, 2, 2], storage: [1, 0, 0, 2]))).value
        #expect(out.storage == [1, 0, 2, 0])
    }

    @Test func comiRecSAAttentionMatchesAHandComputation() {
        var settings = config(.comirecSA, length: 3)
        settings.embeddingSize = 1
        settings.interestCount = 2
        let model = RecommenderModel(config: settings, schema: DataSchema(itemCount: 3, itemFeatures: [], userFeatures: []))
        let tower = model.users as! ComiRecSAUserTower
        tower.positions.table.value = Tensor(shape: [3, 1], storage: [0, 0.5, 0])
        tower.hidden.weight.value = Tensor(shape: [1, 4], storage: [1, -1, 2, 0])
        tower.hidden.bias!.value = Tensor(shape: [4], storage: [0, 0.1, 0, 0.2])
        tower.heads.weight.value = Tensor(shape: [4, 2], storage: [1, 0, 0, 1, 1, -1, 0.5, 0.5])
        let e: [Double] = [1, -2, 3]  // the third is padding
        let tape = Tape()
        let batch = UserBatch(histories: [[0, 1]], profiles: [], maxLength: 3, routingSeeds: [1])
        let vectors = tower.interests(tape, batch: batch, behaviours: tape.constant(Tensor(shape: [1, 3, 1], storage: e.map(Float.init)))).vectors.value
        let positions = [0, 0.5]
        for interest in 0..<2 {
            let logits = (0..<2).map { i -> Double in
                let h = e[i] + positions[i]
                let hidden = [Foundation.tanh(h), Foundation.tanh(-h + 0.1), Foundation.tanh(2 * h), Foundation.tanh(0.2)]
                let w2: [[Double]] = [[1, 0, 1, 0.5], [0, 1, -1, 0.5]]
                return zip(hidden, w2[interest]).reduce(0) { $0 + $1.0 * $1.1 }
            }
            let total = logits.map(exp).reduce(0, +)
            let expected = (0..<2).reduce(0.0) { $0 + exp(logits[$1]) / total * e[$1] }  // behaviours without positions
            #expect(abs(Double(vectors.storage[interest]) - expected) < 1e-5, "interest \(interest)")
        }
    }

    /// The tower's two entries agree: item rows with the row each padded position reads (as training and serving call
    /// it), and the padded behaviours gathered from them, in the interests and in the gradient reaching the rows
    /// (item 1 is read at three positions, padding reads item 0).
    @Test func comiRecSAReadsDistinctRowsAsItReadsPaddedBehaviours() {
        let model = RecommenderModel(config: config(.comirecSA, length: 4), schema: DataSchema(itemCount: 6, itemFeatures: [], userFeatures: []))
        let batch = UserBatch(histories: [[1, 2, 1], [3, 1, 4, 5]], profiles: [], maxLength: 4, routingSeeds: [1, 2])
        let rows = random([6, 8], seed: 11), weights = random([2, 3, 8], seed: 12)
        func run(distinctRows: Bool) -> (interests: Tensor, rowGradient: Tensor) {
            let tape = Tape()
            let r = tape.variable(rows)
            let user = distinctRows
                ? model.users.interests(tape, batch: batch, rows: r, rowIndices: batch.histories)
                : model.users.interests(tape, batch: batch, behaviours: tape.gather(r, indices: batch.histories, indexShape: [2, 4]))
            let (gradients, _) = tape.gradients(of: tape.sum(tape.multiply(user.vectors, tape.constant(weights))), wrt: [r])
            return (user.vectors.value, gradients[0])
        }
        let distinct = run(distinctRows: true), padded = run(distinctRows: false)
        #expect(distinct.interests.shape == [2, 3, 8])
        #expect(distinct.interests.maxAbsoluteDifference(padded.interests) < 1e-5)
        #expect(distinct.rowGradient.maxAbsoluteDifference(padded.rowGradient) < 1e-5)
        #expect(padded.rowGradient.storage[8..<16].contains { $0 != 0 })  // item 1's row does receive a gradient
    }

    @Test func sdmFusesShortAndLongTermThroughTheGate() throws {
        let model = RecommenderModel(config: config(.sdm), schema: schema)
        let tower = try #require(model.users as? SDMUserTower)
        // Zero gate weights and bias: G = 1/2, so o = (p + s) / 2.
        tower.gate.weight.value = .zeros(tower.gate.weight.shape)
        tower.gate.bias!.value = .zeros(tower.gate.bias!.shape)
        let batch = UserBatch(histories: [[3, 9, 4, 17, 22, 5], [7, 8]], profiles: [1, 0], maxLength: 8, routingSeeds: [1, 2])
        let tape = Tape()
        let items = model.items(tape, (0..<30).map { Int32($0) })
        let behaviours = tape.gather(items, indices: batch.histories, indexShape: [2, 8])
        let output = tower.interests(tape, batch: batch, behaviours: behaviours).vectors.value
        let user = tower.userEmbedding(tape, batch: batch)
        let windows = SessionWindows(batch: batch, shortTermLength: 3)
        let shortTerm = tower.shortTerm(tape, behaviours: behaviours, windows: windows, user: user)
        let longTerm = tower.longTermPreference(tape, batch: batch, windows: windows, user: user)
        let short = shortTerm.pooled.value, long = longTerm.preference.value
        for i in 0..<output.count { #expect(abs(output.storage[i] - (short.storage[i] + long.storage[i]) / 2) < 1e-5) }
        // The second user's two behaviours all fall in the session: no long-term behaviours, p = tanh(bias).
        #expect(windows.longTermMask[8..<16].allSatisfy { $0 == 0 } && windows.sessionMask[3..<6] == [1, 1, 0])
        #expect(windows.longTermMask[0..<8] == [1, 1, 1, 0, 0, 0, 0, 0])
        let bias = tower.longTerm.bias!.value.storage
        for j in 0..<8 { #expect(abs(long.storage[8 + j] - Foundation.tanh(bias[j])) < 1e-6) }

        // What explain shows: with G = 1/2 each session behaviour carries half its pooling weight and each earlier
        // behaviour half its long-term weight (averaged over the subsets); padding carries nothing.
        let attention = try #require(tower.behaviourAttention(tape, batch: batch, behaviours: behaviours))
        #expect(attention.shape == [2, 1, 8])
        let session = shortTerm.weights.value.storage, longWeights = longTerm.weights.map(\.value.storage)
        for position in 0..<8 {
            let slot = position - 3  // user 0: behaviours 3...5 are the session
            let expected = slot >= 0 && slot < 3 ? session[slot] / 2
                : position < 3 ? longWeights.reduce(0) { $0 + $1[position] } / Float(longWeights.count) / 2 : 0
            #expect(abs(attention.storage[position] - expected) < 1e-6, "user 0, position \(position)")
        }
        #expect(abs(attention.storage[0..<8].reduce(0, +) - 1) < 1e-5)
        #expect(abs(attention.storage[8..<16].reduce(0, +) - 0.5) < 1e-5, "no long-term behaviours: the session's half only")
        #expect(attention.storage[10..<16].allSatisfy { $0 == 0 })
    }
}

@Suite("Tower gradients against finite differences, behaviours and weights")
struct TowerGradientTests {
    @Test(arguments: [ModelKind.comirecSA, .sdm, .sasrec, .gru4rec])
    func towerGradient(model kind: ModelKind) {
        var config = ModelConfig()
        config.model = kind
        config.embeddingSize = 4
        config.interestCount = 2
        config.maxHistoryLength = 4
        config.shortTermLength = 2
        let model = RecommenderModel(config: config, schema: DataSchema(itemCount: 8, itemFeatures: [], userFeatures: []))
        let batch = UserBatch(histories: [[0, 1, 2], [3, 4, 5, 1]], profiles: [], maxLength: 4, routingSeeds: [3, 4])
        // Behaviours at the scale of trained item vectors; SASRec layer-normalises them, so the step must be
        // small against that scale or it crosses the kinks of its feed-forward ReLUs.
        let behaviours = random([2, 4, 4], seed: 5, scale: 0.1)
        checkGradients([behaviours], parameters: model.users.parameters, step: kind == .sasrec ? 1e-4 : 1e-3) { tape, inputs in
            model.users.interests(tape, batch: batch, behaviours: inputs[0]).vectors
        }
    }
}

@Suite("GRU4Rec with a hidden state of its own size")
struct GRU4RecHiddenSizeTests {
    /// gru-hidden-size 6 with embeddings of 4: the GRU's weights take the hidden size, the dense layer maps it back
    /// to d, and the gradient still matches finite differences, per sample and over all positions.
    @Test func hiddenSizeShapesTheWeightsAndKeepsTheGradient() {
        var config = ModelConfig()
        config.model = .gru4rec
        config.embeddingSize = 4
        config.maxHistoryLength = 4
        config.negatives = 5
        config.recurrentHiddenSize = 6
        let model = RecommenderModel(config: config, schema: DataSchema(itemCount: 8, itemFeatures: [], userFeatures: []))
        let tower = model.users as! GRU4RecUserTower
        #expect(tower.dense.weight.value.shape == [6, 4])
        #expect(model.encode(histories: [[1, 2, 3]], profiles: []).vectors.shape == [1, 1, 4])
        let batch = UserBatch(histories: [[0, 1, 2], [3, 4, 5, 1]], profiles: [], maxLength: 4, routingSeeds: [3, 4])
        checkGradients([random([2, 4, 4], seed: 5, scale: 0.1)], parameters: model.users.parameters) { tape, inputs in
            model.users.interests(tape, batch: batch, behaviours: inputs[0]).vectors
        }
        let sampling = NegativeSampling(kind: .logUniform, popularity: [5, 4, 3, 2, 1, 1, 1, 1])
        #expect(checkLossGradient(model, batch: batch, targets: [1, 2, 6, 4, 5, 1, 7], sampling: sampling, step: 1e-2) > 100)
    }
}

@Suite("The new towers learn planted interests")
struct SequenceTowerLearningTests {
    /// SASRec trains per sample here: on these short planted sequences windows give most positions a history of a
    /// few items, and two epochs of them leave it near MostPopular (BENCHMARKS.md measures both ways on MovieLens);
    /// GRU4Rec trains on windows, and `AllPositionsTrainingTests` checks the window loss against the per-sample one.
    @Test(arguments: [(ModelKind.comirecSA, false), (.sdm, false), (.sasrec, false), (.gru4rec, true)])
    func trainingRaisesRecallWellAboveTheUntrainedModel(setting: (model: ModelKind, allPositions: Bool)) throws {
        let kind = setting.model
        let planted = PlantedInterests(users: 240, topics: 8, itemsPerTopic: 20, length: 20...30, seed: 4)
        let trainUsers = Array(planted.sequences.prefix(200)), testUsers = Array(planted.sequences.suffix(40))
        let data = TrainingData(sequences: trainUsers, users: (0..<200).map { Int32($0) }, profiles: [], profileFeatureCount: 0, itemCount: planted.itemCount)
        var config = ModelConfig()
        config.model = kind
        config.embeddingSize = 16
        config.interestCount = 4
        config.maxHistoryLength = 10
        config.negatives = 32
        config.batchSize = 32  // recurrent and attention towers need more steps than routing to pick the topics up
        config.epochs = 2
        config.learningRate = 0.01
        config.shortTermLength = 5
        config.trainAllPositions = setting.allPositions
        config.seed = 3
        let model = RecommenderModel(config: config, schema: planted.schema)
        let before = tailRecall(model, sequences: testUsers, n: 20)
        try Trainer(model: model, data: data, directory: nil).train()
        let after = tailRecall(model, sequences: testUsers, n: 20)
        let popular = popularityRecall(data, sequences: testUsers, n: 20)
        #expect(after > max(before + 0.05, 1.5 * popular), "\(kind.rawValue) Recall@20: untrained \(before), trained \(after), most popular \(popular)")
    }

    /// Recall@n of ranking by training popularity (history excluded) over the held-out 20% tails, as `tailRecall` cuts them.
    func popularityRecall(_ data: TrainingData, sequences: [[Int32]], n: Int) -> Double {
        let ranked = data.popularity.indices.sorted { (data.popularity[$0], $1) > (data.popularity[$1], $0) }.map { Int32($0) }
        var total = 0.0
        for sequence in sequences {
            let cut = Int(Double(sequence.count) * 0.8)
            let seen = Set(sequence[..<cut]), truth = Set(sequence[cut...])
            let top = ranked.lazy.filter { !seen.contains($0) }.prefix(n)
            total += Double(top.filter { truth.contains($0) }.count) / Double(truth.count)
        }
        return total / Double(sequences.count)
    }
}

@Suite("All-positions training of the causal towers (SASRec, GRU4Rec)")
struct AllPositionsTrainingTests {
    @Test func windowsCoverEveryTargetOnce() {
        let data = TrainingData(sequences: [Array(0..<12).map { Int32($0) }, [3, 4], [5]], users: [0, 1, 2], profiles: [],
                                profileFeatureCount: 0, itemCount: 12)
        let windows = data.windows(length: 5)
        // Sequence 0: targets 1...11 in windows ending at 11, 6, 1; sequence 1: one window; sequence 2 has no target.
        #expect(windows.map { [$0.sequence, $0.position] } == [[0, 11], [0, 6], [0, 1], [1, 1]])
        var covered: [[Int32]] = []
        for window in windows {
            let end = Int(window.position), start = max(0, end - 5)
            covered += ((start + 1)...end).map { [window.sequence, Int32($0)] }
        }
        #expect(covered.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) } == data.samples().map { [$0.sequence, $0.position] })
    }

    @Test("window-stride: windows end every stride items, each trains its last stride targets, every target once")
    func stridedWindowsCoverEveryTargetOnceWithContext() {
        let data = TrainingData(sequences: [Array(0..<12).map { Int32($0) }, [3, 4], [5]], users: [0, 1, 2], profiles: [],
                                profileFeatureCount: 0, itemCount: 12)
        let windows = data.windows(length: 5, stride: 2)
        #expect(windows.map { [$0.sequence, $0.position] } == [[0, 11], [0, 9], [0, 7], [0, 5], [0, 3], [0, 1], [1, 1]])
        var covered: [[Int32]] = []
        for window in windows {
            let trained = window.trainedTargets(stride: 2), start = max(0, Int(window.position) - 5)
            #expect(trained.count <= 2 && trained.lowerBound > start)
            for position in trained {
                // Each trained target sees at least length - stride + 1 = 4 earlier items, or its whole prefix.
                #expect(position - start >= 4 || start == 0, "window \(window), target \(position)")
                covered.append([window.sequence, Int32(position)])
            }
        }
        #expect(covered.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) } == data.samples().map { [$0.sequence, $0.position] })
        #expect(data.windows(length: 5, stride: 5) == data.windows(length: 5))
        #expect(throws: ConfigError.self) { try ModelConfig(["model": "sasrec", "max-history-length": "5", "window-stride": "6"]) }
    }

    /// The all-positions loss of `window` (targets of its scored positions) and the per-sample loss of the same targets
    /// with `prefixes` as histories, from the same weights, with the whole catalogue as candidates.
    func windowAndPerSampleLosses(_ kind: ModelKind, window: UserBatch, targets: [Int32],
                                  prefixes: [ArraySlice<Int32>]) -> (window: Float, perSample: Float) {
        var config = ModelConfig()
        config.model = kind
        config.embeddingSize = 8
        config.maxHistoryLength = 6
        config.sampler = .full
        let schema = DataSchema(itemCount: 10, itemFeatures: [], userFeatures: [])
        let sampling = NegativeSampling(kind: .full, popularity: [Int](repeating: 1, count: 10))
        let model = RecommenderModel(config: config, schema: schema)
        #expect(model.trainsAllPositions)
        var generator = SeededGenerator(seed: 1)
        // A variable reads its value through its (unowned) tape, so each tape is kept alive until the value is read.
        let windowTape = Tape(), sampleTape = Tape()
        let all = withExtendedLifetime(windowTape) {
            model.loss(windowTape, batch: window, targets: targets, sampling: sampling, generator: &generator).value.scalar
        }
        config.trainAllPositions = false
        let perSampleModel = RecommenderModel(config: config, schema: schema)  // the same seed: the same weights
        let samples = UserBatch(histories: prefixes, profiles: [], maxLength: 6, routingSeeds: prefixes.indices.map { UInt64($0) + 1 })
        let perSample = withExtendedLifetime(sampleTape) {
            perSampleModel.loss(sampleTape, batch: samples, targets: targets, sampling: sampling, generator: &generator).value.scalar
        }
        return (all, perSample)
    }

    /// A window that starts at the sequence's first item gives every position the history per-sample training
    /// gives it, so with the whole catalogue as candidates the two losses agree: the outputs are causal.
    @Test(arguments: [ModelKind.sasrec, .gru4rec])
    func allPositionsLossIsTheMeanOfThePerSampleLosses(model kind: ModelKind) {
        let sequence: [Int32] = [2, 7, 1, 8, 2, 8]
        let window = UserBatch(histories: [sequence[0..<5]], profiles: [], maxLength: 6, routingSeeds: [1])
        let losses = windowAndPerSampleLosses(kind, window: window, targets: Array(sequence[1...5]),
                                              prefixes: (1...5).map { sequence[0..<$0] })
        #expect(abs(losses.window - losses.perSample) < 1e-5, "all positions \(losses.window), per sample \(losses.perSample)")
    }

    /// With `trainedPositions`, only each sample's last positions are scored: the loss is the mean of the per-sample
    /// losses of those targets (the windows start at the sequence's first item, so their histories are their prefixes).
    @Test(arguments: [ModelKind.sasrec, .gru4rec])
    func stridedWindowLossIsTheMeanOverItsTrainedTargets(model kind: ModelKind) {
        let sequence: [Int32] = [2, 7, 1, 8, 2, 8]
        var window = UserBatch(histories: [sequence[0..<5], sequence[0..<3]], profiles: [], maxLength: 6, routingSeeds: [1, 2])
        window.trainedPositions = [2, 1]  // targets of positions 4, 5 (first window) and 3 (second)
        let losses = windowAndPerSampleLosses(kind, window: window, targets: [sequence[4], sequence[5], sequence[3]],
                                              prefixes: [sequence[0..<4], sequence[0..<5], sequence[0..<3]])
        #expect(abs(losses.window - losses.perSample) < 1e-5, "strided window \(losses.window), per sample \(losses.perSample)")
    }

    @Test(arguments: [ModelKind.sasrec, .gru4rec])
    func allPositionsGradientMatchesFiniteDifferences(model kind: ModelKind) {
        var config = ModelConfig()
        config.model = kind
        config.embeddingSize = 4
        config.maxHistoryLength = 4
        config.negatives = 5
        let model = RecommenderModel(config: config, schema: DataSchema(itemCount: 8, itemFeatures: [], userFeatures: []))
        let sampling = NegativeSampling(kind: .logUniform, popularity: [5, 4, 3, 2, 1, 1, 1, 1])
        let batch = UserBatch(histories: [[0, 1, 2], [3, 4, 5, 1]], profiles: [], maxLength: 4, routingSeeds: [3, 4])
        let targets: [Int32] = [1, 2, 6, 4, 5, 1, 7]  // the next item of each real position
        let step: Float = kind == .sasrec ? 1e-4 : 1e-2  // see TrainingTests.wholeLossGradient
        #expect(checkLossGradient(model, batch: batch, targets: targets, sampling: sampling, step: step) > 100)
    }
}

/// The towers with dropout: SASRec, GRU4Rec, and SASRec as RecBole builds it (attention weights dropped too, GELU).
enum DropoutVariant: String, CaseIterable, CustomStringConvertible {
    case sasrec, gru4rec
    case sasrecRecBole = "sasrec+attention-dropout+gelu"
    var description: String { rawValue }
}

@Suite("Dropout in the sequence towers (SASRec, GRU4Rec)")
struct SequenceTowerDropoutTests {
    func config(_ variant: DropoutVariant, dropout: Float) -> ModelConfig {
        var config = ModelConfig()
        config.model = variant == .gru4rec ? .gru4rec : .sasrec
        config.embeddingSize = 4
        config.maxHistoryLength = 4
        config.negatives = 5
        config.dropout = dropout
        if variant == .sasrecRecBole {
            config.attentionDropout = dropout
            config.feedForwardActivation = .gelu
        }
        return config
    }

    let schema = DataSchema(itemCount: 8, itemFeatures: [], userFeatures: [])
    let sampling = NegativeSampling(kind: .logUniform, popularity: [5, 4, 3, 2, 1, 1, 1, 1])
    let targets: [Int32] = [1, 2, 6, 4, 5, 1, 7]  // the next item of each real position of `batch`

    func batch(dropoutSeeds: [UInt64]?) -> UserBatch {
        var batch = UserBatch(histories: [[0, 1, 2], [3, 4, 5, 1]], profiles: [], maxLength: 4, routingSeeds: [3, 4])
        batch.dropoutSeeds = dropoutSeeds
        return batch
    }

    func loss(_ model: RecommenderModel, _ batch: UserBatch) -> Float {
        let tape = Tape()
        var generator = SeededGenerator(seed: 1)
        return withExtendedLifetime(tape) {
            model.loss(tape, batch: batch, targets: targets, sampling: sampling, generator: &generator).value.scalar
        }
    }

    @Test("dropout adds no weights, leaves serving alone and changes the training loss", arguments: DropoutVariant.allCases)
    func servingIsUnchanged(variant kind: DropoutVariant) {
        let plain = RecommenderModel(config: config(kind, dropout: 0), schema: schema)
        let dropped = RecommenderModel(config: config(kind, dropout: 0.5), schema: schema)
        for (a, b) in zip(plain.parameters, dropped.parameters) { #expect(a.value == b.value, "\(a.name)") }
        let histories: [ArraySlice<Int32>] = [[0, 1, 2], [3, 4, 5, 1, 6]]
        #expect(plain.encode(histories: histories, profiles: []).vectors == dropped.encode(histories: histories, profiles: []).vectors)
        #expect(loss(plain, batch(dropoutSeeds: [8, 9])) == loss(plain, batch(dropoutSeeds: nil)))
        #expect(loss(dropped, batch(dropoutSeeds: [8, 9])) != loss(dropped, batch(dropoutSeeds: nil)))
        #expect(loss(dropped, batch(dropoutSeeds: [8, 9])) != loss(dropped, batch(dropoutSeeds: [8, 10])))
    }

    /// With the masks fixed by the seeds, the loss is smooth in the weights again.
    @Test(arguments: DropoutVariant.allCases)
    func lossGradientWithDropoutMatchesFiniteDifferences(variant kind: DropoutVariant) {
        let model = RecommenderModel(config: config(kind, dropout: 0.3), schema: schema)
        let step: Float = kind == .gru4rec ? 1e-2 : 1e-4  // see TrainingTests.wholeLossGradient
        #expect(checkLossGradient(model, batch: batch(dropoutSeeds: [8, 9]), targets: targets, sampling: sampling, step: step) > 100)
    }

    /// A sample's training outputs depend on its own seed, not on who shares its batch.
    @Test(arguments: DropoutVariant.allCases)
    func batchNeighboursChangeNothingInTraining(variant kind: DropoutVariant) {
        let model = RecommenderModel(config: config(kind, dropout: 0.5), schema: schema)
        let tower = model.users as! SequenceOutputTower
        func outputs(_ histories: [ArraySlice<Int32>], seeds: [UInt64]) -> Tensor {
            var batch = UserBatch(histories: histories, profiles: [], maxLength: 4, routingSeeds: seeds)
            batch.dropoutSeeds = seeds
            let tape = Tape()
            let items = model.items(tape, (0..<8).map { Int32($0) })
            let behaviours = tape.gather(items, indices: batch.histories, indexShape: [batch.size, batch.length])
            return tower.positionOutputs(tape, batch: batch, behaviours: behaviours).value
        }
        let alone = outputs([[3, 4, 5, 1]], seeds: [9])
        let paired = outputs([[3, 4, 5, 1], [0, 1, 2]], seeds: [9, 8])
        #expect(Array(paired.storage.prefix(alone.count)) == alone.storage)
        #expect(outputs([[3, 4, 5, 1]], seeds: [10]) != alone)
    }

    @Test("with dropout, 1 and 3 threads still give the same weights", arguments: DropoutVariant.allCases)
    func threadCountChangesNothing(variant kind: DropoutVariant) throws {
        let planted = PlantedInterests(users: 40, topics: 4, itemsPerTopic: 10, length: 8...14, seed: 2)
        let data = TrainingData(sequences: planted.sequences, users: (0..<40).map { Int32($0) }, profiles: [], profileFeatureCount: 0,
                                itemCount: planted.itemCount)
        func train(threads: Int) throws -> RecommenderModel {
            var settings = config(kind, dropout: 0.3)
            settings.batchSize = 8
            settings.epochs = 1
            settings.shards = 3
            settings.threads = threads
            let model = RecommenderModel(config: settings, schema: planted.schema)
            try Trainer(model: model, data: data, directory: nil).train()
            return model
        }
        let one = try train(threads: 1), three = try train(threads: 3)
        for (a, b) in zip(one.parameters, three.parameters) { #expect(a.value == b.value, "\(a.name)") }
    }

    /// Attention-weight dropout alone (no hidden dropout) changes the training loss and leaves serving alone.
    @Test func attentionDropoutAloneActsInTraining() {
        var settings = config(.sasrec, dropout: 0)
        let plain = RecommenderModel(config: settings, schema: schema)
        settings.attentionDropout = 0.5
        let dropped = RecommenderModel(config: settings, schema: schema)
        let histories: [ArraySlice<Int32>] = [[0, 1, 2], [3, 4, 5, 1, 6]]
        #expect(plain.encode(histories: histories, profiles: []).vectors == dropped.encode(histories: histories, profiles: []).vectors)
        #expect(loss(plain, batch(dropoutSeeds: [8, 9])) == loss(dropped, batch(dropoutSeeds: nil)))
        #expect(loss(dropped, batch(dropoutSeeds: [8, 9])) != loss(dropped, batch(dropoutSeeds: nil)))
    }

    /// GELU in the feed-forward adds no weights and changes what the tower computes.
    @Test func geluFeedForwardChangesTheUserVectors() {
        var settings = config(.sasrec, dropout: 0)
        let relu = RecommenderModel(config: settings, schema: schema)
        settings.feedForwardActivation = .gelu
        let gelu = RecommenderModel(config: settings, schema: schema)
        #expect(relu.parameters.map(\.name) == gelu.parameters.map(\.name))
        let histories: [ArraySlice<Int32>] = [[0, 1, 2], [3, 4, 5, 1, 6]]
        #expect(relu.encode(histories: histories, profiles: []).vectors != gelu.encode(histories: histories, profiles: []).vectors)
    }
}
