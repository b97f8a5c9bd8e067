import Foundation
import Testing
import MINDCore
@testable import MINDModels

@Suite("MIND user tower: routing, padding, dynamic K, attention")
struct RoutingTests {
    func tinyConfig() -> ModelConfig {
        var config = ModelConfig()
        config.embeddingSize = 2
        config.interestCount = 2
        config.maxHistoryLength = 4
        config.mlpHidden = []
        config.dynamicInterestCount = false
        config.useProfile = false
        return config
    }

    @Test func routingMatchesAHandComputation() {
        var config = tinyConfig()
        config.routingIterations = 2
        let model = RecommenderModel(config: config, schema: DataSchema(itemCount: 3, itemFeatures: [], userFeatures: []))
        let tower = model.users as! MINDUserTower
        // S = identity, behaviours e0 = (1, 0), e1 = (0, 2).
        tower.bilinear.value = Tensor(shape: [2, 2], storage: [1, 0, 0, 1])
        let tape = Tape()
        let behaviours = tape.constant(Tensor(shape: [1, 2, 2], storage: [1, 0, 0, 2]))
        let batch = UserBatch(histories: [[0, 1]], profiles: [], maxLength: 2, routingSeeds: [7])
        let logits = tower.initialLogits(batch: batch)  // [1, K=2, L=2]
        let capsules = CapsuleRouting(iterations: 2, stopGradient: true, sharedPredictions: true).run(
            tape, predictions: tape.matmul(behaviours, tape.parameter(tower.bilinear)), logits: logits,
            mask: Tensor(shape: [1, 2, 2], repeating: 1)).capsules.value

        // The same two iterations written out: w = softmax over interests per behaviour,
        // z_j = sum_i w_ij u_i, u_j = squash(z_j), b_ij += u_j . u_i.
        let u: [[Double]] = [[1, 0], [0, 2]]
        var b = [[Double(logits.storage[0]), Double(logits.storage[1])], [Double(logits.storage[2]), Double(logits.storage[3])]]  // b[j][i]
        var v = [[Double]](repeating: [0, 0], count: 2)
        for iteration in 0..<2 {
            var w = b
            for i in 0..<2 {
                let m = max(b[0][i], b[1][i])
                let e0 = Foundation.exp(b[0][i] - m), e1 = Foundation.exp(b[1][i] - m)
                w[0][i] = e0 / (e0 + e1)
                w[1][i] = e1 / (e0 + e1)
            }
            for j in 0..<2 {
                let z = [w[j][0] * u[0][0] + w[j][1] * u[1][0], w[j][0] * u[0][1] + w[j][1] * u[1][1]]
                let s = z[0] * z[0] + z[1] * z[1]
                let factor = s / (1 + s) / s.squareRoot()
                v[j] = [z[0] * factor, z[1] * factor]
            }
            if iteration == 0 {
                for j in 0..<2 { for i in 0..<2 { b[j][i] += v[j][0] * u[i][0] + v[j][1] * u[i][1] } }
            }
        }
        for j in 0..<2 { for c in 0..<2 { #expect(abs(Double(capsules.storage[j * 2 + c]) - v[j][c]) < 1e-5) } }
    }

    @Test func constantAndDifferentiableRoutingAgreeForward() {
        var config = tinyConfig()
        config.embeddingSize = 4
        config.interestCount = 3
        var generator = SeededGenerator(seed: 3)
        let schema = DataSchema(itemCount: 10, itemFeatures: [], userFeatures: [])
        let model = RecommenderModel(config: config, schema: schema)
        let tower = model.users as! MINDUserTower
        let tape = Tape()
        let predictions = tape.constant(Tensor.randomNormal([2, 4, 4], standardDeviation: 1, using: &generator))
        let batch = UserBatch(histories: [[1, 2, 3, 4], [5, 6, 7, 8]], profiles: [], maxLength: 4, routingSeeds: [1, 2])
        let logits = tower.initialLogits(batch: batch)
        let mask = Tensor(shape: [2, 3, 4], repeating: 1)
        let a = CapsuleRouting(iterations: config.routingIterations, stopGradient: true, sharedPredictions: true)
            .run(tape, predictions: predictions, logits: logits, mask: mask).capsules.value
        let b = CapsuleRouting(iterations: config.routingIterations, stopGradient: false, sharedPredictions: true)
            .run(tape, predictions: predictions, logits: logits, mask: mask).capsules.value
        #expect(a.maxAbsoluteDifference(b) < 1e-6)
    }

    @Test func paddingChangesNothing() {
        var config = tinyConfig()
        config.embeddingSize = 8
        config.interestCount = 3
        config.dynamicInterestCount = true
        config.mlpHidden = [16]
        let schema = DataSchema(itemCount: 30, itemFeatures: [], userFeatures: [])
        let history: ArraySlice<Int32> = [3, 9, 4, 17, 22]
        config.maxHistoryLength = 5
        let short = RecommenderModel(config: config, schema: schema).encode(histories: [history], profiles: [])
        config.maxHistoryLength = 12
        let padded = RecommenderModel(config: config, schema: schema).encode(histories: [history], profiles: [])
        #expect(short.mask == padded.mask)
        #expect(short.vectors.maxAbsoluteDifference(padded.vectors) < 1e-5)
        // And a batch neighbour changes nothing either.
        let withNeighbour = RecommenderModel(config: config, schema: schema).encode(histories: [history, [1, 2]], profiles: [])
        #expect(Array(withNeighbour.vectors.storage.prefix(padded.vectors.count)) == padded.vectors.storage)
    }

    @Test("dynamic interest count is max(1, min(K, floor(log2 n)))", arguments: [(1, 1), (2, 1), (3, 1), (4, 2), (7, 2), (8, 3), (15, 3), (16, 4), (100, 4)])
    func dynamicK(pair: (Int, Int)) {
        var config = tinyConfig()
        config.interestCount = 4
        config.dynamicInterestCount = true
        config.maxHistoryLength = 100
        let model = RecommenderModel(config: config, schema: DataSchema(itemCount: 5, itemFeatures: [], userFeatures: []))
        #expect((model.users as! MINDUserTower).activeInterests(behaviourCount: pair.0) == pair.1)
        let history = ArraySlice((0..<pair.0).map { Int32($0 % 5) })
        let (vectors, mask) = model.encode(histories: [history], profiles: [])
        #expect(mask.filter { $0 != 0 }.count == pair.1)
        // Unused interests are zero vectors.
        for interest in pair.1..<4 { #expect(vectors.storage[(interest * 2)..<(interest * 2 + 2)].allSatisfy { $0 == 0 }) }
    }

    @Test func labelAwareAttentionLimits() {
        var config = tinyConfig()
        config.embeddingSize = 3
        config.interestCount = 3
        var generator = SeededGenerator(seed: 5)
        let interests = Tensor.randomNormal([2, 3, 3], standardDeviation: 1, using: &generator)
        let labels = Tensor.randomNormal([2, 3], standardDeviation: 1, using: &generator)
        let mask: [Float] = [1, 1, 1, 1, 1, 0]  // second user: third interest unused
        func attend(_ power: Float) -> Tensor {
            config.attentionPower = power
            let model = RecommenderModel(config: config, schema: DataSchema(itemCount: 2, itemFeatures: [], userFeatures: []))
            let tape = Tape()
            return model.attend(tape, interests: UserInterests(vectors: tape.constant(interests), mask: mask, interestCount: 3), labels: tape.constant(labels)).value
        }
        let mean = attend(0)
        for user in 0..<2 {
            let active = user == 0 ? 3 : 2
            for c in 0..<3 {
                let expected = (0..<active).map { interests.storage[(user * 3 + $0) * 3 + c] }.reduce(0, +) / Float(active)
                #expect(abs(mean.storage[user * 3 + c] - expected) < 1e-5)
            }
        }
        let hard = attend(.infinity)
        let sharp = attend(1000)
        for user in 0..<2 {
            let active = user == 0 ? 3 : 2
            let best = (0..<active).max { a, b in
                let da = (0..<3).map { interests.storage[(user * 3 + a) * 3 + $0] * labels.storage[user * 3 + $0] }.reduce(0, +)
                let db = (0..<3).map { interests.storage[(user * 3 + b) * 3 + $0] * labels.storage[user * 3 + $0] }.reduce(0, +)
                return da < db
            }!
            for c in 0..<3 {
                #expect(hard.storage[user * 3 + c] == interests.storage[(user * 3 + best) * 3 + c])
                #expect(abs(sharp.storage[user * 3 + c] - interests.storage[(user * 3 + best) * 3 + c]) < 1e-3)
            }
        }
    }

    @Test func servingRoutingWeightsSumToOneOverActiveInterests() throws {
        var config = tinyConfig()
        config.embeddingSize = 6
        config.interestCount = 4
        config.dynamicInterestCount = true
        config.maxHistoryLength = 10
        let model = RecommenderModel(config: config, schema: DataSchema(itemCount: 20, itemFeatures: [], userFeatures: []))
        // 9 behaviours: K' = 3 of 4 interests; 4 behaviours: K' = 2. Both padded to 10.
        let histories: [ArraySlice<Int32>] = [[1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13]]
        let routing = try #require(model.routing(histories: histories, profiles: []))
        #expect(routing.weights.shape == [2, 4, 10])
        #expect(routing.capsules.shape == [2, 4, 6])
        for (user, (count, active)) in [(9, 3), (4, 2)].enumerated() {
            #expect(routing.interestMask[(user * 4)..<(user * 4 + 4)] == ArraySlice((0..<4).map { $0 < active ? 1 : 0 }))
            for position in 0..<10 {
                let column = (0..<4).map { routing.weights.storage[(user * 4 + $0) * 10 + position] }
                // A real behaviour spreads weight 1 over the active interests; padding and unused interests get none.
                #expect(abs(column.reduce(0, +) - (position < count ? 1 : 0)) < 1e-5)
                #expect(column[active...].allSatisfy { $0 == 0 })
            }
        }
        // Routing at serving is seeded by the history's content: the same history, the same weights.
        let again = try #require(model.routing(histories: histories, profiles: []))
        #expect(again.weights.storage == routing.weights.storage)
    }
}
