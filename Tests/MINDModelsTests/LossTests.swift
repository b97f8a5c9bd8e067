import Foundation
import Testing
import MINDCore
@testable import MINDModels

@Suite("Sampled-softmax loss: negative scoring and hard-negative weights")
struct LossTests {
    func loss(beta: Float) -> SampledSoftmaxLoss {
        var config = ModelConfig()
        config.embeddingSize = 4
        config.hardNegativeBeta = beta
        return SampledSoftmaxLoss(config: config, sampling: NegativeSampling(kind: config.sampler, popularity: [Int](repeating: 1, count: 8)))
    }

    @Test func hardNegativeWeightsAverageOneAndFavourHighScores() {
        // Two samples, target in column 0, four candidates; the second sample's column 2 is an accidental hit.
        let scores = Tensor(shape: [2, 4], storage: [1, 3, 2, -1, 0.5, 4, 0.5, 0.5])  // the candidates' scores
        var excluded = ExcludedColumns()
        excluded.appendRow([])
        excluded.appendRow([1])
        let mask = Tensor(shape: [2, 5], storage: [1, 1, 1, 1, 1, 1, 1, 0, 1, 1])  // the same, as logit columns
        let weights = loss(beta: 0.7).hardNegativeWeights(scores: scores, excluded: excluded)
        for sample in 0..<2 {
            #expect(weights.storage[sample * 5] == 0, "the target is never reweighted")
            let valid = (1..<5).filter { mask.storage[sample * 5 + $0] != 0 }
            let total = valid.reduce(Float(0)) { $0 + Foundation.exp(weights.storage[sample * 5 + $1]) }
            #expect(abs(total - Float(valid.count)) < 1e-4, "n valid negatives keep total weight n")
        }
        #expect(weights.storage[2] > weights.storage[3] && weights.storage[3] > weights.storage[1] && weights.storage[1] > weights.storage[4])
        #expect(weights.storage[7] == 0, "a masked candidate gets no weight")
        // Equal scores: every weight is 1 (log 0).
        #expect(abs(weights.storage[6]) < 1e-5 && abs(weights.storage[9]) < 1e-5)
        // beta -> 0 is the plain sampled softmax.
        let flat = loss(beta: 1e-6).hardNegativeWeights(scores: scores, excluded: excluded)
        #expect(flat.storage.allSatisfy { abs($0) < 1e-4 })
    }

    @Test func scoringNegativesByTheirBestInterestRaisesTheLoss() {
        // Under hard attention the attended vector is one of the interests, so each negative's
        // best-interest score is at least its attended score: the loss can only grow.
        var losses: [NegativeScoring: Float] = [:]
        for scoring in NegativeScoring.allCases {
            var config = ModelConfig()
            config.embeddingSize = 4
            config.interestCount = 3
            config.dynamicInterestCount = false
            config.routingSigma = 1
            config.negatives = 6
            config.negativeScoring = scoring
            let model = RecommenderModel(config: config, schema: DataSchema(itemCount: 12, itemFeatures: [], userFeatures: []))
            let sampling = NegativeSampling(kind: .logUniform, popularity: (0..<12).map { 12 - $0 })
            let batch = UserBatch(histories: [[1, 2, 3, 8], [4, 5, 9]], profiles: [], maxLength: 4, routingSeeds: [1, 2])
            var generator = SeededGenerator(seed: 9)
            let tape = Tape()
            losses[scoring] = model.loss(tape, batch: batch, targets: [6, 7], sampling: sampling, generator: &generator).value.scalar
            withExtendedLifetime(tape) {}
        }
        #expect(losses[.maxInterest]! > losses[.attended]!)
    }
}
