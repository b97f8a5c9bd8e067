import MINDCore

/// The user side of a batch: padded histories (most recent `length` items, oldest first),
/// their mask, profiles and a per-sample seed for the routing-logit initialisation.
public struct UserBatch {
    public let size: Int
    /// L, the padded history length.
    public let length: Int
    /// [B * L] item indices; padding slots hold item 0 and mask 0.
    public var histories: [Int32]
    /// [B * L] 1 for a real behaviour, 0 for padding.
    public var historyMask: [Float]
    /// Real behaviours per sample (<= L, >= 1).
    public var historyCounts: [Int]
    /// [B * F] profile value indices (0 = unknown); empty when the model uses no profile.
    public var profiles: [Int32]
    /// One seed per sample for the Gaussian routing-logit draw.
    public var routingSeeds: [UInt64]
    /// One seed per sample for dropout masks in training; nil when serving, which turns dropout off.
    public var dropoutSeeds: [UInt64]?
    /// All-positions training: how many of each sample's last real positions have a target (fewer than all with
    /// `window-stride`); nil means every real position has one.
    public var trainedPositions: [Int]?

    /// Builds a batch, keeping the most recent `maxLength` items of each history.
    public init(histories input: [ArraySlice<Int32>], profiles: [Int32], maxLength: Int, routingSeeds: [UInt64]) {
        precondition(input.allSatisfy { !$0.isEmpty }, "Every history needs at least one item.")
        precondition(routingSeeds.count == input.count, "One routing seed per history is needed.")
        size = input.count
        length = maxLength
        histories = [Int32](repeating: 0, count: size * maxLength)
        historyMask = [Float](repeating: 0, count: size * maxLength)
        historyCounts = []
        historyCounts.reserveCapacity(size)
        for (b, history) in input.enumerated() {
            let kept = history.suffix(maxLength)
            for (l, item) in kept.enumerated() {
                histories[b * maxLength + l] = item
                historyMask[b * maxLength + l] = 1
            }
            historyCounts.append(kept.count)
        }
        self.profiles = profiles
        self.routingSeeds = routingSeeds
    }

    /// A seed that depends only on the history's content, so serving the same history gives
    /// the same interests whatever else is in the batch.
    public static func contentSeed(_ history: ArraySlice<Int32>, base: UInt64) -> UInt64 {
        var hash = FNV1a(basis: base)
        for item in history { hash.combine(UInt64(UInt32(bitPattern: item))) }
        return hash.value
    }
}

/// Up to K interest vectors per user and which of them are in use.
public struct UserInterests {
    /// [B, K, d]
    public var vectors: Variable
    /// [B * K], 1 for an interest in use.
    public var mask: [Float]
    public var interestCount: Int
    /// The routing behind the interests, for regularisers on its weights; nil for towers without routing.
    public var routing: InterestRouting? = nil
}

/// A user tower: behaviour vectors (and profiles) in, up to K interests out.
public protocol UserTower: AnyObject {
    var parameters: [Parameter] { get }
    var interestCount: Int { get }
    /// Whether the tower reads user-profile features.
    var usesProfile: Bool { get }
    /// behaviours: [B, L, d] item vectors of the padded histories.
    func interests(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> UserInterests
    /// The same interests given the item vectors as rows [R, d] and, for each padded position, the row it reads
    /// (behaviours[b, l] = rows[rowIndices[b * L + l]]), so that a tower can do per-item work once per distinct row.
    func interests(_ tape: Tape, batch: UserBatch, rows: Variable, rowIndices: [Int32]) -> UserInterests
}

extension UserTower {
    /// Gathers the padded behaviours [B, L, d] and forms the interests from them.
    public func interests(_ tape: Tape, batch: UserBatch, rows: Variable, rowIndices: [Int32]) -> UserInterests {
        interests(tape, batch: batch, behaviours: tape.gather(rows, indices: rowIndices, indexShape: [batch.size, batch.length]))
    }
}

/// A tower that forms its interests by attention over the behaviours; `mind explain` shows that attention.
public protocol AttentionUserTower: UserTower {
    /// [B, K, L]: how much each interest's vector rests on each behaviour (0 on padding); nil when the tower
    /// has no attention in this configuration.
    func behaviourAttention(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Tensor?
}

/// A causal user tower: the user vector after each prefix of the history comes out of one pass, so training can
/// score every position of a window at once (SASRec, GRU4Rec).
public protocol SequenceOutputTower: UserTower {
    /// behaviours [B, L, d] -> [B, L, d]: position t's output reads only positions <= t.
    func positionOutputs(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Variable
}

/// The outcome of behaviour-to-interest routing for a batch, for diagnostics and explanations.
public struct InterestRouting {
    /// [B, K, d] squashed interest capsules (before MIND's MLP).
    public var capsules: Variable
    /// [B, K, L] the last iteration's coupling weights w_ij (0 for padding and unused interests), on the tape.
    public var weightVariable: Variable
    /// [B, K, L] 1 where an interest in use meets a real behaviour.
    public var routingMask: Tensor
    /// The coupling weights' values.
    public var weights: Tensor { weightVariable.value }
    /// [B * K] 1 for an interest in use.
    public var interestMask: [Float]
}

/// A user tower whose interests come from dynamic routing (MIND, ComiRec-DR).
public protocol RoutingUserTower: UserTower {
    func route(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> InterestRouting
}
