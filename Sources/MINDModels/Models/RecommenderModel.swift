import MINDCore
import MINDNN

/// A two-tower retrieval model: an item tower shared by behaviours, targets and the catalogue, and a
/// user tower (MIND, YouTubeDNN, ComiRec-DR, ComiRec-SA, SDM, SASRec, GRU4Rec) that turns a history into interests.
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
        case .comirecSA: users = ComiRecSAUserTower(config: config, generator: &generator)
        case .sdm: users = SDMUserTower(config: config, schema: schema, items: items, generator: &generator)
        case .sasrec: users = SASRecUserTower(config: config, generator: &generator)
        case .gru4rec: users = GRU4RecUserTower(config: config, generator: &generator)
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

    /// The users' interests from the item vectors of `local` [U, d]: the tower reads them as rows, one per distinct item.
    func interests(_ tape: Tape, batch: UserBatch, itemVectors: Variable, local: LocalItems) -> UserInterests {
        users.interests(tape, batch: batch, rows: itemVectors, rowIndices: local.map(batch.histories))
    }

    /// The training loss of one batch: the towers and label-aware attention here, then
    /// `SampledSoftmaxLoss` against the drawn candidates (mean over samples).
    /// With `trainsAllPositions`, `targets` holds one target for every real history position instead
    /// (sample by sample, oldest first; the next item, or one drawn by `target-window`), and the loss is the mean over them.
    /// `seen` holds, per target, the items its softmax leaves out under `softmax-excludes-history` (its earlier items and
    /// target window); empty leaves out only accidental hits.
    public func loss(_ tape: Tape, batch: UserBatch, targets: [Int32], seen: [ArraySlice<Int32>] = [], sampling: NegativeSampling,
                     generator: inout SeededGenerator) -> Variable {
        precondition(seen.isEmpty || seen.count == targets.count, "\(seen.count) seen lists for \(targets.count) targets.")
        let loss = SampledSoftmaxLoss(config: config, sampling: sampling)
        // Candidates are drawn first so the item tower computes each touched item once.
        let candidates = loss.drawCandidates(targets: targets, itemCount: items.itemCount, generator: &generator)
        let local = candidates.localItems(histories: batch.histories, targets: targets)
        let itemVectors = items(tape, local.items)  // [U, d]
        let user = trainsAllPositions
            ? positionInterests(tape, batch: batch, behaviours: behaviours(tape, batch: batch, itemVectors: itemVectors, local: local),
                                targetCount: targets.count)  // one per target
            : interests(tape, batch: batch, itemVectors: itemVectors, local: local)
        let targetVectors = tape.gather(itemVectors, indices: local.map(targets))  // [B, d] (all positions: [N, d])
        let attended = attend(tape, interests: user, labels: targetVectors)  // [B, d]
        let softmaxLoss = loss(tape, user: user, attended: attended, targets: targets, seen: seen, targetVectors: targetVectors,
                               itemVectors: itemVectors, local: local, candidates: candidates)
        guard let penalty = InterestRegularisers.penalty(tape, interests: user, config: config) else { return softmaxLoss }
        return tape.add(softmaxLoss, penalty)
    }

    /// Whether training scores every position of a window at once (causal towers with `all-positions`).
    public var trainsAllPositions: Bool { config.trainAllPositions && users is SequenceOutputTower }

    /// The causal tower's output at every real position of the batch with a target (the last `trainedPositions`
    /// of each sample, or all), each the user vector for the next item: [N, 1, d] as one interest per target,
    /// sample by sample, oldest first.
    private func positionInterests(_ tape: Tape, batch: UserBatch, behaviours: Variable, targetCount: Int) -> UserInterests {
        let b = batch.size, l = batch.length, d = config.embeddingSize
        let rows = (0..<b).flatMap { sample -> [Int32] in
            let count = batch.historyCounts[sample], trained = batch.trainedPositions?[sample] ?? count
            return ((count - trained)..<count).map { Int32(sample * l + $0) }
        }
        precondition(rows.count == targetCount, "\(targetCount) targets for \(rows.count) real positions.")
        let outputs = (users as! SequenceOutputTower).positionOutputs(tape, batch: batch, behaviours: behaviours)  // [B, L, d]
        return singleInterest(tape.gather(tape.reshape(outputs, [b * l, d]), indices: rows))
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
        let (tape, batch, itemVectors, local) = servingInputs(histories: histories, profiles: profiles)
        return withExtendedLifetime(tape) {  // variables read their values through the tape
            let user = interests(tape, batch: batch, itemVectors: itemVectors, local: local)
            return (user.vectors.value, user.mask)
        }
    }

    /// The routing of the given histories (capsules before any MLP, coupling weights), as
    /// `encode` computes it; nil for a model without routing.
    public func routing(histories: [ArraySlice<Int32>], profiles: [Int32]) -> (capsules: Tensor, weights: Tensor, interestMask: [Float])? {
        guard let tower = users as? RoutingUserTower else { return nil }
        let (tape, batch, itemVectors, local) = servingInputs(histories: histories, profiles: profiles)
        return withExtendedLifetime(tape) {
            let routing = tower.route(tape, batch: batch, behaviours: behaviours(tape, batch: batch, itemVectors: itemVectors, local: local))
            return (routing.capsules.value, routing.weights, routing.interestMask)
        }
    }

    /// How much each interest rests on each behaviour for a tower built on attention (ComiRec-SA, SASRec, SDM),
    /// as `encode` computes it: [B, K, L]; nil for other towers.
    public func behaviourAttention(histories: [ArraySlice<Int32>], profiles: [Int32]) -> Tensor? {
        guard let tower = users as? AttentionUserTower else { return nil }
        let (tape, batch, itemVectors, local) = servingInputs(histories: histories, profiles: profiles)
        return withExtendedLifetime(tape) {
            tower.behaviourAttention(tape, batch: batch, behaviours: behaviours(tape, batch: batch, itemVectors: itemVectors, local: local))
        }
    }

    /// The batch serving encodes (the most recent items of each history, routing seeded by the history's content),
    /// and the vectors [U, d] of the items it holds.
    private func servingInputs(histories: [ArraySlice<Int32>], profiles: [Int32]) -> (Tape, UserBatch, itemVectors: Variable, LocalItems) {
        let featureCount = usesProfile ? schema.userFeatures.count : 0
        let profileValues = profiles.isEmpty ? [Int32](repeating: 0, count: histories.count * featureCount) : profiles
        let seeds = histories.map { UserBatch.contentSeed($0, base: config.seed) }
        let batch = UserBatch(histories: histories, profiles: usesProfile ? profileValues : [],
                              maxLength: config.maxHistoryLength, routingSeeds: seeds)
        let local = LocalItems(batch.histories)
        // Row-independent products: a history's vectors must not depend on which histories share its batch.
        let tape = Tape(products: .rowIndependent)
        return (tape, batch, items(tape, local.items), local)
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
