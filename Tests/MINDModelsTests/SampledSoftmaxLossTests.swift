import Foundation
import Testing
import MINDCore
@testable import MINDModels

@Suite("SampledSoftmaxLoss: candidates, accidental hits, logQ, hard-negative weights, hand-computed loss")
struct SampledSoftmaxLossTests {
    /// Popularity of four items, most popular first, so item i has popularity rank i.
    let popularity = [4, 3, 2, 1]

    func loss(sampler: NegativeSampler = .logUniform, shared: Bool = true, logQ: Bool = true, beta: Float = 0,
              scoring: NegativeScoring = .attended, negatives: Int = 3) -> SampledSoftmaxLoss {
        var config = ModelConfig()
        config.sampler = sampler
        config.sharedNegatives = shared
        config.logQCorrection = logQ
        config.hardNegativeBeta = beta
        config.negativeScoring = scoring
        config.negatives = negatives
        return SampledSoftmaxLoss(config: config, sampling: NegativeSampling(kind: sampler, popularity: popularity))
    }

    /// Excluded candidate columns, row by row.
    func excluded(_ rows: [[Int32]]) -> ExcludedColumns {
        var excluded = ExcludedColumns()
        for row in rows { excluded.appendRow(row) }
        return excluded
    }

    /// log Q(i) of TensorFlow's log-uniform sampler over popularity ranks, written out.
    func logUniformLogQ(_ item: Int32) -> Double {
        let rank = Double(item), n = Double(popularity.count)
        return log(log((rank + 2) / (rank + 1)) / log(n + 1))
    }

    @Test("the loss matches a hand computation with logQ correction and an accidental hit", arguments: [true, false])
    func lossMatchesAHandComputation(shared: Bool) {
        // Two samples, three candidates each; every candidate equal to its sample's target is masked.
        let targets: [Int32] = [0, 1]
        let candidateItems: [[Int32]] = shared ? [[2, 0, 3], [2, 0, 3]] : [[2, 0, 3], [1, 3, 3]]
        let candidates = CandidateSet(source: shared ? .sampledShared : .sampledPerSample,
                                      items: shared ? candidateItems[0] : candidateItems.flatMap { $0 }, batchSize: 2)
        let items: [[Double]] = [[1, 0], [0, 1], [1, 1], [-1, 0.5]]
        let users: [[Double]] = [[0.5, -1], [2, 0.25]]

        let tape = Tape()
        let itemVectors = tape.constant(Tensor(shape: [4, 2], storage: items.flatMap { $0.map { Float($0) } }))  // [I, d]
        let attended = tape.constant(Tensor(shape: [2, 2], storage: users.flatMap { $0.map { Float($0) } }))  // [B, d]
        let user = UserInterests(vectors: tape.reshape(attended, [2, 1, 2]), mask: [1, 1], interestCount: 1)
        let local = LocalItems(all: 4)
        let targetVectors = tape.gather(itemVectors, indices: local.map(targets))  // [B, d]
        let value = loss(shared: shared)(tape, user: user, attended: attended, targets: targets, targetVectors: targetVectors,
                                         itemVectors: itemVectors, local: local, candidates: candidates).value.scalar

        var expected = 0.0
        for sample in 0..<2 {
            func logit(_ item: Int32) -> Double {
                zip(users[sample], items[Int(item)]).reduce(0) { $0 + $1.0 * $1.1 } - logUniformLogQ(item)
            }
            let target = targets[sample]
            let negatives = candidateItems[sample].filter { $0 != target }
            let logits = [logit(target)] + negatives.map(logit)
            expected += log(logits.reduce(0) { $0 + exp($1) }) - logit(target)
        }
        expected /= 2
        #expect(abs(Double(value) - expected) < 1e-5 * max(1, abs(expected)), "\(value) vs \(expected)")
    }

    @Test func aCandidateEqualToTheTargetIsMasked() {
        let loss = loss()
        let shared = CandidateSet(source: .sampledShared, items: [2, 5, 7], batchSize: 2)
        #expect(loss.excludedColumns(targets: [5, 2], seen: [], candidates: shared) == excluded([[1], [0]]))
        let perSample = CandidateSet(source: .sampledPerSample, items: [5, 5, 1, 3, 2, 2], batchSize: 2)
        #expect(loss.excludedColumns(targets: [5, 2], seen: [], candidates: perSample) == excluded([[0, 1], [1, 2]]))
        let inBatch = CandidateSet(source: .inBatch, items: [3, 3], batchSize: 2)
        #expect(loss.excludedColumns(targets: [3, 3], seen: [], candidates: inBatch) == excluded([[0, 1], [0, 1]]),
                "in-batch: a repeated target is no negative of its twin")
        let catalogue = CandidateSet(source: .catalogue, items: [0, 1, 2, 3], batchSize: 2)
        #expect(loss.excludedColumns(targets: [2, 0], seen: [], candidates: catalogue) == excluded([[2], [0]]))
    }

    @Test("softmax-excludes-history: each target's seen items leave its softmax, in every candidate layout")
    func seenItemsAreExcluded() {
        let loss = loss()
        let seen: [ArraySlice<Int32>] = [[7, 2, 9], [5, 5]]  // 9 is no candidate; a repeat names its columns once
        let shared = CandidateSet(source: .sampledShared, items: [2, 5, 7, 2], batchSize: 2)
        #expect(loss.excludedColumns(targets: [5, 3], seen: seen, candidates: shared) == excluded([[0, 1, 2, 3], [1]]))
        let perSample = CandidateSet(source: .sampledPerSample, items: [9, 4, 5, 5, 1, 3], batchSize: 2)
        #expect(loss.excludedColumns(targets: [5, 3], seen: seen, candidates: perSample) == excluded([[0, 2], [0, 2]]))
        let inBatch = CandidateSet(source: .inBatch, items: [5, 3], batchSize: 2)
        #expect(loss.excludedColumns(targets: [5, 3], seen: seen, candidates: inBatch) == excluded([[0], [0, 1]]))
        let catalogue = CandidateSet(source: .catalogue, items: Array(0..<10), batchSize: 2)
        #expect(loss.excludedColumns(targets: [5, 3], seen: seen, candidates: catalogue) == excluded([[2, 5, 7, 9], [3, 5]]))
    }

    @Test func logQCorrectionSubtractsTheSamplingLogProbability() throws {
        let candidates = CandidateSet(source: .sampledPerSample, items: [2, 0, 3, 1, 1, 2], batchSize: 2)
        let correction = try #require(loss().logQCorrection(targets: [0, 3], candidates: candidates))
        #expect(correction.shape == [2, 4])
        let items: [Int32] = [0, 2, 0, 3, 3, 1, 1, 2]  // each row: the target, then its candidates
        for (index, item) in items.enumerated() {
            #expect(abs(Double(correction.storage[index]) - logUniformLogQ(item)) < 1e-6, "column \(index)")
        }
        let inBatch = CandidateSet(source: .inBatch, items: [0, 3], batchSize: 2)
        #expect(loss(sampler: .inBatch).logQCorrection(targets: [0, 3], candidates: inBatch) != nil,
                "in-batch candidates follow popularity and need the correction")
        #expect(loss(sampler: .uniform).logQCorrection(targets: [0, 3], candidates: candidates) == nil, "uniform needs none")
        let catalogue = CandidateSet(source: .catalogue, items: [0, 1, 2, 3], batchSize: 2)
        #expect(loss(sampler: .full).logQCorrection(targets: [0, 3], candidates: catalogue) == nil, "the full softmax needs none")
        #expect(loss(logQ: false).logQCorrection(targets: [0, 3], candidates: candidates) == nil, "disabled")
    }

    @Test func hardNegativeWeightsAreOneAtBetaZeroAndSumToTheValidNegatives() {
        let scores = Tensor(shape: [3, 3], storage: [1, -2, 3, 2, 2, 7, 4, 4, 4])  // the candidates' scores
        let hits = excluded([[], [1], [0, 1, 2]])
        let mask = Tensor(shape: [3, 4], storage: [1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0])  // the same, as logit columns
        #expect(loss(beta: 0).hardNegativeWeights(scores: scores, excluded: hits).storage.allSatisfy { $0 == 0 },
                "beta 0: log weight 0, weight 1")
        let weights = loss(beta: 0.5).hardNegativeWeights(scores: scores, excluded: hits)
        for sample in 0..<2 {
            let valid = (1..<4).filter { mask.storage[sample * 4 + $0] != 0 }
            let total = valid.reduce(Float(0)) { $0 + exp(weights.storage[sample * 4 + $1]) }
            #expect(abs(total - Float(valid.count)) < 1e-5, "sample \(sample): weights sum to n")
            #expect(weights.storage[sample * 4] == 0, "the target is never reweighted")
        }
        #expect(weights.storage[6] == 0, "a masked candidate gets no weight")
        #expect(weights.storage[8..<12].allSatisfy { $0 == 0 }, "a sample without valid negatives is left alone")
    }

    @Test func sharedAndPerSampleCandidatesHaveTheirShapes() {
        let tape = Tape()
        let itemVectors = tape.constant(Tensor(shape: [4, 2], storage: [1, 0, 0, 1, 1, 1, -1, 0.5]))  // [I, d]
        let attended = tape.constant(Tensor(shape: [2, 2], storage: [0.5, -1, 2, 0.25]))  // [B, d]
        let interests = tape.constant(Tensor(shape: [2, 2, 2], storage: [0.5, -1, 1, 1, 2, 0.25, 0, 0]))  // [B, K, d]
        let user = UserInterests(vectors: interests, mask: [1, 1, 1, 0], interestCount: 2)
        let targets: [Int32] = [0, 3]
        let local = LocalItems(all: 4)
        let targetVectors = tape.gather(itemVectors, indices: local.map(targets))  // [B, d]
        for shared in [true, false] {
            var generator = SeededGenerator(seed: 5)
            var reference = generator
            let candidates = loss(shared: shared).drawCandidates(targets: targets, itemCount: 4, generator: &generator)
            let drawn = NegativeSampling(kind: .logUniform, popularity: popularity).draw(shared ? 3 : 6, using: &reference)
            let (next, referenceNext) = (generator.next(), reference.next())
            #expect(candidates.items == drawn && next == referenceNext, "the same draws in the same order")
            #expect(candidates.isPerSample == !shared && candidates.columnCount == 3)
            let vectors = candidates.vectors(tape, itemVectors: itemVectors, targetVectors: targetVectors, local: local)
            #expect(vectors.shape == (shared ? [3, 2] : [2, 3, 2]))
            for scoring in NegativeScoring.allCases {
                let scores = loss(shared: shared, scoring: scoring).candidateScores(
                    tape, user: user, attended: attended, candidates: vectors, isPerSample: !shared)
                #expect(scores.shape == [2, 3], "\(scoring), shared \(shared)")
            }
        }
        var generator = SeededGenerator(seed: 5)
        let untouched = generator
        let catalogue = loss(sampler: .full).drawCandidates(targets: targets, itemCount: 4, generator: &generator)
        #expect(catalogue.source == .catalogue && catalogue.items == [0, 1, 2, 3])
        let inBatch = loss(sampler: .inBatch).drawCandidates(targets: targets, itemCount: 4, generator: &generator)
        #expect(inBatch.source == .inBatch && inBatch.items == targets && inBatch.columnCount == 2)
        var copy = untouched
        let (next, untouchedNext) = (generator.next(), copy.next())
        #expect(next == untouchedNext, "catalogue and in-batch candidates take no draws")
    }

    @Test func maxInterestScoringTakesEachCandidatesBestActiveInterest() {
        let tape = Tape()
        let attended = tape.constant(Tensor(shape: [1, 2], storage: [1, 0]))  // [B, d]
        // The second interest is inactive and would win for the second candidate if it counted.
        let interests = tape.constant(Tensor(shape: [1, 2, 2], storage: [1, 0, 0, 5]))  // [B, K, d]
        let user = UserInterests(vectors: interests, mask: [1, 0], interestCount: 2)
        let candidates = tape.constant(Tensor(shape: [2, 2], storage: [2, 1, 0, 3]))  // [C, d]
        let best = loss(scoring: .maxInterest).candidateScores(tape, user: user, attended: attended, candidates: candidates, isPerSample: false)
        #expect(best.value.storage == [2, 0])
        let active = UserInterests(vectors: interests, mask: [1, 1], interestCount: 2)
        let both = loss(scoring: .maxInterest).candidateScores(tape, user: active, attended: attended, candidates: candidates, isPerSample: false)
        #expect(both.value.storage == [5, 15])
    }
}
