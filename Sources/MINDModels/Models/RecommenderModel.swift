import Foundation
import MINDCore
import MINDNN

/// A two-tower retrieval model: an item tower shared by behaviours, targets and the
/// catalogue, and a user tower (MIND, YouTubeDNN or ComiRec-DR) that turns a history into interests.
/// Trained with label-aware attention and a sampled softmax; served by max_k e_i . u_k.
///
/// Sendable because serving only reads it: every forward pass builds its own tape and reads the
/// parameters. The `Trainer` is the only writer, and a model is shared with readers only after it.
public final class RecommenderModel: @unchecked Sendable {
    public let config: ModelConfig
    public let schema: DataSchema
    public let items: ItemTower
    public let users: UserTower

    /// Builds a freshly initialised model; the same config and schema give the same weights.
    public init(config: ModelConfig, schema: DataSchema) {
        self.config = config
        self.schema = schema
        var generator = SeededGenerator(seed: config.seed)
        items = ItemTower(schema: schema, dimension: config.embeddingSize, generator: &generator)
        switch config.model {
        case .mind: users = MINDUserTower(config: config, schema: schema, generator: &generator)
        case .youtubednn: users = YouTubeDNNUserTower(config: config, schema: schema, generator: &generator)
        case .comirecDR: users = ComiRecDRUserTower(config: config, generator: &generator)
        }
    }

    /// Every trainable parameter, in a fixed order.
    public var parameters: [Parameter] { items.parameters + users.parameters }

    /// Whether the user tower reads profile features.
    public var usesProfile: Bool { users.usesProfile }

    /// The padded histories' item vectors, [B, L, d], given the item vectors of `local`.
    func behaviours(_ tape: Tape, batch: UserBatch, itemVectors: Variable, local: LocalItems) -> Variable {
        tape.gather(itemVectors, indices: local.map(batch.histories), indexShape: [batch.size, batch.length])
    }

    /// The training loss of one batch: label-aware attention over the interests, then
    /// softmax cross-entropy of the target against the negatives (mean over samples).
    public func loss(_ tape: Tape, batch: UserBatch, targets: [Int32], sampling: NegativeSampling,
                     generator: inout SeededGenerator) -> Variable {
        let b = batch.size, d = config.embeddingSize
        var negatives: [Int32] = []
        switch config.sampler {
        case .full, .inBatch: break
        default: negatives = sampling.draw(config.sharedNegatives ? config.negatives : b * config.negatives, using: &generator)
        }
        let local: LocalItems
        if config.sampler == .full {
            local = LocalItems(all: items.itemCount)
        } else {
            local = LocalItems(batch.histories, targets, negatives)
        }
        let itemVectors = items(tape, local.items)  // [U, d]
        let user = users.interests(tape, batch: batch, behaviours: behaviours(tape, batch: batch, itemVectors: itemVectors, local: local))
        let targetVectors = tape.gather(itemVectors, indices: local.map(targets))  // [B, d]
        let userVector = attend(tape, interests: user, labels: targetVectors)  // [B, d]

        // logits[b, 0] is the target; the other columns are the candidates.
        let positive = tape.reshape(
            tape.batchedMatmul(tape.reshape(userVector, [b, 1, d]), tape.reshape(targetVectors, [b, 1, d]), transposeB: true), [b, 1])
        let candidateItems: [Int32]  // per column (shared) or per row-major entry (per sample)
        let candidateScores: Variable  // [B, C]
        var perSample = false
        switch config.sampler {
        case .full:
            candidateItems = (0..<Int32(items.itemCount)).map { $0 }
            candidateScores = scoreShared(tape, user: user, attended: userVector, candidates: itemVectors)
        case .inBatch:
            candidateItems = targets
            candidateScores = scoreShared(tape, user: user, attended: userVector, candidates: targetVectors)
        default:
            candidateItems = negatives
            if config.sharedNegatives {
                let negativeVectors = tape.gather(itemVectors, indices: local.map(negatives))  // [N, d]
                candidateScores = scoreShared(tape, user: user, attended: userVector, candidates: negativeVectors)
            } else {
                perSample = true
                let n = config.negatives
                let negativeVectors = tape.gather(itemVectors, indices: local.map(negatives), indexShape: [b, n])  // [B, N, d]
                if scoresByBestInterest(user) {
                    let scores = tape.batchedMatmul(user.vectors, negativeVectors, transposeB: true)  // [B, K, N]
                    candidateScores = bestInterestScores(tape, scores: scores, user: user)
                } else {
                    let scores = tape.batchedMatmul(tape.reshape(userVector, [b, 1, d]), negativeVectors, transposeB: true)  // [B, 1, N]
                    candidateScores = tape.reshape(scores, [b, n])
                }
            }
        }
        var logits = tape.concat([positive, candidateScores], axis: 1)
        let columns = logits.shape[1]
        var mask = Tensor(shape: [b, columns], repeating: 1)
        var correction = Tensor.zeros([b, columns])
        let correct = config.logQCorrection && !sampling.isUniform
        for sample in 0..<b {
            let target = targets[sample]
            if correct { correction.storage[sample * columns] = sampling.logProbability[Int(target)] }
            for column in 1..<columns {
                let item = perSample ? candidateItems[sample * (columns - 1) + column - 1] : candidateItems[column - 1]
                // A candidate equal to the target is not a negative ("accidental hit").
                if item == target { mask.storage[sample * columns + column] = 0 }
                if correct { correction.storage[sample * columns + column] = sampling.logProbability[Int(item)] }
            }
        }
        let rawScores = logits.value
        if correct { logits = tape.subtract(logits, tape.constant(correction)) }
        if config.hardNegativeBeta > 0 {
            logits = tape.add(logits, tape.constant(hardNegativeWeights(scores: rawScores, mask: mask)))
        }
        let logProbabilities = tape.logSoftmax(logits, axis: 1, mask: mask)
        let targetLogProbabilities = tape.pick(logProbabilities, columns: [Int32](repeating: 0, count: b))
        return tape.scale(tape.mean(targetLogProbabilities), by: -1)
    }

    /// Hard-negative emphasis (REMI's interest-aware hard negatives, Xie et al. 2023): each
    /// sampled negative's term in the softmax is weighted by n * softmax_j(beta * score_j) over
    /// the sample's n valid negatives, a constant; beta = 0 gives weight 1 to every negative.
    /// Returns log weights, [B, C] with column 0 (the target) zero.
    func hardNegativeWeights(scores: Tensor, mask: Tensor) -> Tensor {
        let b = scores.shape[0], columns = scores.shape[1], beta = config.hardNegativeBeta
        var logWeights = Tensor.zeros([b, columns])
        for sample in 0..<b {
            let row = sample * columns
            let valid = (1..<columns).filter { mask.storage[row + $0] != 0 }
            guard let top = valid.map({ beta * scores.storage[row + $0] }).max() else { continue }
            let logSum = Foundation.log(valid.reduce(Float(0)) { $0 + Foundation.exp(beta * scores.storage[row + $1] - top) }) + top
            let logCount = Foundation.log(Float(valid.count))
            for column in valid { logWeights.storage[row + column] = logCount + beta * scores.storage[row + column] - logSum }
        }
        return logWeights
    }

    /// Whether negatives are scored by their best interest rather than the attended vector.
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

    /// Label-aware attention: v_u = sum_k softmax_k(p * e_label . u_k) u_k over the active
    /// interests; p = 0 is the mean, p = infinity picks the best-matching interest.
    public func attend(_ tape: Tape, interests: UserInterests, labels: Variable) -> Variable {
        let b = labels.shape[0], d = labels.shape[1], k = interests.interestCount
        if k == 1 { return tape.reshape(interests.vectors, [b, d]) }
        let scores = tape.reshape(
            tape.batchedMatmul(interests.vectors, tape.reshape(labels, [b, 1, d]), transposeB: true), [b, k])  // [B, K]
        let weights: Variable
        if config.usesHardAttention {
            var oneHot = Tensor.zeros([b, 1, k])
            for sample in 0..<b {
                var best = -1
                for interest in 0..<k where interests.mask[sample * k + interest] != 0 {
                    if best < 0 || scores.value.storage[sample * k + interest] > scores.value.storage[sample * k + best] { best = interest }
                }
                oneHot.storage[sample * k + max(best, 0)] = 1
            }
            weights = tape.constant(oneHot)
        } else {
            let mask = Tensor(shape: [b, k], storage: interests.mask)
            weights = tape.reshape(tape.softmax(tape.scale(scores, by: config.attentionPower), axis: 1, mask: mask), [b, 1, k])
        }
        return tape.reshape(tape.batchedMatmul(weights, interests.vectors), [b, d])
    }

    /// Interests of users given only their histories (and profiles, [B * F] or empty for
    /// unknown): vectors [B, K, d] and mask [B * K]. Deterministic per history.
    public func encode(histories: [ArraySlice<Int32>], profiles: [Int32]) -> (vectors: Tensor, mask: [Float]) {
        let (tape, batch, behaviours) = servingInputs(histories: histories, profiles: profiles)
        return withExtendedLifetime(tape) {  // variables read their values through the tape
            let user = users.interests(tape, batch: batch, behaviours: behaviours)
            return (user.vectors.value, user.mask)
        }
    }

    /// The routing of the given histories (capsules before any MLP, coupling weights), as
    /// `encode` computes it; nil for a model without routing.
    public func routing(histories: [ArraySlice<Int32>], profiles: [Int32]) -> (capsules: Tensor, weights: Tensor, interestMask: [Float])? {
        guard let tower = users as? RoutingUserTower else { return nil }
        let (tape, batch, behaviours) = servingInputs(histories: histories, profiles: profiles)
        return withExtendedLifetime(tape) {
            let routing = tower.route(tape, batch: batch, behaviours: behaviours)
            return (routing.capsules.value, routing.weights, routing.interestMask)
        }
    }

    /// The batch and behaviour vectors serving encodes: the most recent items of each history,
    /// routing seeded by the history's content.
    private func servingInputs(histories: [ArraySlice<Int32>], profiles: [Int32]) -> (Tape, UserBatch, Variable) {
        let featureCount = usesProfile ? schema.userFeatures.count : 0
        let profileValues = profiles.isEmpty ? [Int32](repeating: 0, count: histories.count * featureCount) : profiles
        let seeds = histories.map { UserBatch.contentSeed($0, base: config.seed) }
        let batch = UserBatch(histories: histories, profiles: usesProfile ? profileValues : [],
                              maxLength: config.maxHistoryLength, routingSeeds: seeds)
        let local = LocalItems(batch.histories)
        let tape = Tape()
        return (tape, batch, behaviours(tape, batch: batch, itemVectors: items(tape, local.items), local: local))
    }
}

/// The distinct items a batch touches, so each item's vector is computed once per batch.
struct LocalItems {
    /// Distinct global item indices, in first-seen order.
    private(set) var items: [Int32] = []
    private var position: [Int32: Int32] = [:]
    private var isIdentity = false

    init(_ lists: [Int32]...) {
        for list in lists {
            for item in list where position[item] == nil {
                position[item] = Int32(items.count)
                items.append(item)
            }
        }
    }

    /// All items 0..<count, local index = global index.
    init(all count: Int) {
        items = (0..<Int32(count)).map { $0 }
        isIdentity = true
    }

    func map(_ globalItems: [Int32]) -> [Int32] {
        isIdentity ? globalItems : globalItems.map { position[$0]! }
    }
}
