import Foundation
import MINDCore

/// The training loss of MIND and its baselines: softmax cross-entropy of each target against
/// a candidate set (catalogue, in-batch or sampled negatives), with accidental hits left out,
/// the logQ correction and optional hard-negative weights; the mean over samples.
struct SampledSoftmaxLoss {
    let config: ModelConfig
    let sampling: NegativeSampling

    /// A loss with the sampler, negative count and scoring settings of `config`.
    init(config: ModelConfig, sampling: NegativeSampling) {
        self.config = config
        self.sampling = sampling
    }

    /// Draws one batch's candidates; the catalogue and in-batch candidates take no draws.
    func drawCandidates(targets: [Int32], itemCount: Int, generator: inout SeededGenerator) -> CandidateSet {
        let batchSize = targets.count
        switch config.sampler {
        case .full:
            return CandidateSet(source: .catalogue, items: (0..<Int32(itemCount)).map { $0 }, batchSize: batchSize)
        case .inBatch:
            return CandidateSet(source: .inBatch, items: targets, batchSize: batchSize)
        default:
            if config.sharedNegatives {
                return CandidateSet(source: .sampledShared, items: sampling.draw(config.negatives, using: &generator), batchSize: batchSize)
            }
            return CandidateSet(source: .sampledPerSample, items: sampling.draw(batchSize * config.negatives, using: &generator),
                                batchSize: batchSize)
        }
    }

    /// The mean loss of a batch, given the user's interests, the attended user vectors [B, d],
    /// the targets' vectors [B, d] and the item vectors [U, d] of the batch's local items; `seen` (one list per
    /// target, or empty) names items each target's softmax leaves out besides accidental hits.
    func callAsFunction(_ tape: Tape, user: UserInterests, attended: Variable, targets: [Int32], seen: [ArraySlice<Int32>] = [],
                        targetVectors: Variable, itemVectors: Variable, local: LocalItems, candidates: CandidateSet) -> Variable {
        let positive = targetScores(tape, attended: attended, targetVectors: targetVectors)  // [B, 1]
        let candidateVectors = candidates.vectors(tape, itemVectors: itemVectors, targetVectors: targetVectors, local: local)
        let negative = candidateScores(tape, user: user, attended: attended, candidates: candidateVectors,
                                       isPerSample: candidates.isPerSample)  // [B, C]
        // The softmax runs over the target (column 0 of the logits) and the candidates (columns 1...) without
        // building those [B, 1 + C] logits: `targetCrossEntropy` takes the two parts and the offsets.
        let excluded = excludedColumns(targets: targets, seen: seen, candidates: candidates)
        var offsets = logQCorrection(targets: targets, candidates: candidates)?.scaled(by: -1)  // [B, 1 + C]
        if config.hardNegativeBeta > 0 {
            // Hard-negative weights follow the model's own scores, before any correction.
            let weights = hardNegativeWeights(scores: negative.value, excluded: excluded)
            if offsets == nil { offsets = weights } else { offsets!.addInPlace(weights) }
        }
        return tape.targetCrossEntropy(target: positive, candidates: negative, excluded: excluded, offsets: offsets)
    }

    /// Each target's score against its attended user vector: [B, 1].
    func targetScores(_ tape: Tape, attended: Variable, targetVectors: Variable) -> Variable {
        let b = attended.shape[0], d = attended.shape[1]
        return tape.reshape(
            tape.batchedMatmul(tape.reshape(attended, [b, 1, d]), tape.reshape(targetVectors, [b, 1, d]), transposeB: true), [b, 1])
    }

    /// The candidates' scores, [B, C], from shared vectors [C, d] or per-sample vectors [B, C, d]:
    /// against the attended vector, or against each candidate's best interest (`negative-scoring`).
    func candidateScores(_ tape: Tape, user: UserInterests, attended: Variable, candidates: Variable, isPerSample: Bool) -> Variable {
        guard isPerSample else { return scoreShared(tape, user: user, attended: attended, candidates: candidates) }
        let b = attended.shape[0], d = attended.shape[1], n = candidates.shape[1]
        if scoresByBestInterest(user) {
            let scores = tape.batchedMatmul(user.vectors, candidates, transposeB: true)  // [B, K, N]
            return bestInterestScores(tape, scores: scores, user: user)
        }
        let scores = tape.batchedMatmul(tape.reshape(attended, [b, 1, d]), candidates, transposeB: true)  // [B, 1, N]
        return tape.reshape(scores, [b, n])
    }

    /// The log Q(item) to subtract from each logit, [B, 1 + C], so a popular sampler's
    /// candidates are not over-penalised; nil under uniform sampling or when disabled.
    func logQCorrection(targets: [Int32], candidates: CandidateSet) -> Tensor? {
        guard config.logQCorrection && !sampling.isUniform else { return nil }
        let columns = candidates.columnCount + 1
        var correction = Tensor.zeros([targets.count, columns])
        for (sample, target) in targets.enumerated() {
            correction.storage[sample * columns] = sampling.logProbability[Int(target)]
            for column in 1..<columns {
                correction.storage[sample * columns + column] = sampling.logProbability[Int(candidates.item(sample: sample, column: column - 1))]
            }
        }
        return correction
    }

    /// The candidate columns each sample's softmax leaves out: a candidate equal to the sample's target is not a
    /// negative ("accidental hit"), nor, when `seen` is given, one of the items the sample lists there.
    func excludedColumns(targets: [Int32], seen: [ArraySlice<Int32>], candidates: CandidateSet) -> ExcludedColumns {
        var excluded = ExcludedColumns()
        if candidates.source == .catalogue {
            // Column c holds item c: the target's own column, and the seen items' columns.
            for (sample, target) in targets.enumerated() {
                assert(candidates.items[Int(target)] == target, "catalogue candidates are every item in index order")
                excluded.appendRow(CollectionOfOne(target), seen.isEmpty ? [] : seen[sample])
            }
            return excluded
        }
        // Shared candidates: each item's columns, found once for the batch.
        let columnsOfItem = seen.isEmpty || candidates.isPerSample ? [:]
            : Dictionary(grouping: (0..<Int32(candidates.columnCount)), by: { candidates.items[Int($0)] })
        for (sample, target) in targets.enumerated() {
            var row = (0..<candidates.columnCount).filter { candidates.item(sample: sample, column: $0) == target }.map(Int32.init)
            if !seen.isEmpty {
                if candidates.isPerSample {
                    let items = Set(seen[sample])
                    row += (0..<candidates.columnCount).filter { items.contains(candidates.item(sample: sample, column: $0)) }.map(Int32.init)
                } else {
                    for item in seen[sample] { row += columnsOfItem[item] ?? [] }
                }
            }
            excluded.appendRow(row)
        }
        return excluded
    }

    /// Hard-negative emphasis (REMI's interest-aware hard negatives, Xie et al. 2023): each
    /// sampled negative's term in the softmax is weighted by n * softmax_j(beta * score_j) over
    /// the sample's n kept negatives, a constant; beta = 0 gives weight 1 to every negative.
    /// Takes the candidates' scores [B, C]; returns log weights as logit offsets, [B, 1 + C] with column 0
    /// (the target) and the excluded columns zero.
    func hardNegativeWeights(scores: Tensor, excluded: ExcludedColumns) -> Tensor {
        let b = scores.shape[0], width = scores.shape[1], beta = config.hardNegativeBeta
        var logWeights = Tensor.zeros([b, 1 + width])
        for sample in 0..<b {
            let hits = Set(excluded.row(sample))
            let kept = (0..<width).filter { !hits.contains(Int32($0)) }
            let row = sample * width
            guard let top = kept.map({ beta * scores.storage[row + $0] }).max() else { continue }
            let logSum = Foundation.log(kept.reduce(Float(0)) { $0 + Foundation.exp(beta * scores.storage[row + $1] - top) }) + top
            let logCount = Foundation.log(Float(kept.count))
            for column in kept { logWeights.storage[sample * (1 + width) + 1 + column] = logCount + beta * scores.storage[row + column] - logSum }
        }
        return logWeights
    }

    /// Whether candidates are scored by their best interest rather than the attended vector.
    private func scoresByBestInterest(_ user: UserInterests) -> Bool {
        config.negativeScoring == .maxInterest && user.interestCount > 1
    }

    /// Scores of candidates shared by the batch ([C, d]): [B, C].
    private func scoreShared(_ tape: Tape, user: UserInterests, attended: Variable, candidates: Variable) -> Variable {
        guard scoresByBestInterest(user) else { return tape.matmul(attended, candidates, transposeB: true) }
        let b = attended.shape[0], k = user.interestCount, d = attended.shape[1]
        let scores = tape.matmul(tape.reshape(user.vectors, [b * k, d]), candidates, transposeB: true)  // [B*K, C]
        return bestInterestScores(tape, scores: tape.reshape(scores, [b, k, candidates.shape[0]]), user: user)
    }

    /// max_k over the active interests of scores [B, K, C]: [B, C].
    private func bestInterestScores(_ tape: Tape, scores: Variable, user: UserInterests) -> Variable {
        let b = scores.shape[0], k = scores.shape[1]
        // Unused interests must never be the max: push their scores far down.
        let offsets = Tensor(shape: [b, k, 1], storage: user.mask.map { $0 != 0 ? 0 : -1e9 })
        return tape.max(tape.add(scores, tape.constant(offsets)), axis: 1)
    }
}
