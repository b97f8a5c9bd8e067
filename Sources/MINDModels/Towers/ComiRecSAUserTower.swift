import MINDCore
import MINDNN

/// ComiRec-SA's user tower (Cen et al., KDD 2020): K attention distributions over the position-
/// embedded history, A = softmax_L(W2 tanh(W1 H^T)) [K, L], and interest k = sum_i A_ki e_i over the
/// behaviours' own vectors (as the reference code combines them). All K interests are used; no MLP, no profile.
public final class ComiRecSAUserTower: AttentionUserTower {
    public let config: ModelConfig
    let positions: PositionEmbedding
    /// W1: [d, 4d] with bias, then tanh.
    let hidden: Linear
    /// W2: [4d, K], one attention head per interest.
    let heads: Linear

    public init(config: ModelConfig, generator: inout SeededGenerator) {
        self.config = config
        let d = config.embeddingSize
        positions = PositionEmbedding(name: "comirec-sa.position", length: config.maxHistoryLength, dimension: d, generator: &generator)
        hidden = Linear(name: "comirec-sa.hidden", input: d, output: 4 * d, generator: &generator)
        heads = Linear(name: "comirec-sa.heads", input: 4 * d, output: config.interestCount, bias: false, generator: &generator)
    }

    public var parameters: [Parameter] { [positions.table] + hidden.parameters + heads.parameters }
    public var interestCount: Int { config.interestCount }
    public var usesProfile: Bool { false }

    public func interests(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> UserInterests {
        let b = batch.size, k = config.interestCount, l = batch.length
        let weights = attention(tape, batch: batch, behaviours: behaviours)  // [B, K, L]
        let vectors = tape.batchedMatmul(weights, behaviours)  // [B, K, d]
        precondition(vectors.shape == [b, k, config.embeddingSize] && weights.shape == [b, k, l])
        return UserInterests(vectors: vectors, mask: [Float](repeating: 1, count: b * k), interestCount: k)
    }

    /// A itself: interest k is sum_i A_ki e_i, so its weights are exactly what the interest is made of.
    public func behaviourAttention(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Tensor? {
        attention(tape, batch: batch, behaviours: behaviours).value
    }

    /// A: [B, K, L], each interest's attention over the real behaviours (0 on padding).
    func attention(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Variable {
        let b = batch.size, k = config.interestCount, l = batch.length
        let logits = heads(tape.tanh(hidden(positions(behaviours))))  // [B, L, K]
        var mask = Tensor.zeros([b, k, l])
        for sample in 0..<b {
            for interest in 0..<k {
                for position in 0..<l { mask.storage[(sample * k + interest) * l + position] = batch.historyMask[sample * l + position] }
            }
        }
        return tape.softmax(tape.transpose(logits, [0, 2, 1]), axis: 2, mask: mask)
    }
}
