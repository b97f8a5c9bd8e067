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
        let (rows, rowIndices) = Self.positionRows(tape, behaviours)
        return interests(tape, batch: batch, rows: rows, rowIndices: rowIndices)
    }

    public func interests(_ tape: Tape, batch: UserBatch, rows: Variable, rowIndices: [Int32]) -> UserInterests {
        let b = batch.size, k = config.interestCount, l = batch.length
        let weights = attention(tape, batch: batch, rows: rows, rowIndices: rowIndices)  // [B, K, L]
        let behaviours = tape.gather(rows, indices: rowIndices, indexShape: [b, l])  // [B, L, d]
        let vectors = tape.batchedMatmul(weights, behaviours)  // [B, K, d]
        precondition(vectors.shape == [b, k, config.embeddingSize] && weights.shape == [b, k, l])
        return UserInterests(vectors: vectors, mask: [Float](repeating: 1, count: b * k), interestCount: k)
    }

    /// A itself: interest k is sum_i A_ki e_i, so its weights are exactly what the interest is made of.
    public func behaviourAttention(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Tensor? {
        let (rows, rowIndices) = Self.positionRows(tape, behaviours)
        return attention(tape, batch: batch, rows: rows, rowIndices: rowIndices).value
    }

    /// Padded behaviours [B, L, d] as rows [B * L, d], each position reading its own.
    static func positionRows(_ tape: Tape, _ behaviours: Variable) -> (Variable, [Int32]) {
        let positions = behaviours.shape[0] * behaviours.shape[1]
        return (tape.reshape(behaviours, [positions, behaviours.shape[2]]), (0..<Int32(positions)).map { $0 })
    }

    /// A: [B, K, L], each interest's attention over the real behaviours (0 on padding), from behaviour rows as in
    /// `interests(_:batch:rows:rowIndices:)`.
    func attention(_ tape: Tape, batch: UserBatch, rows: Variable, rowIndices: [Int32]) -> Variable {
        let b = batch.size, k = config.interestCount, l = batch.length
        // (e + p) W1 + b1 = e W1 + (p W1 + b1): the item part once per distinct row the histories read (a MovieLens
        // shard's 1,280 positions read about 820 items), the position part once per position.
        var slotOfRow = [Int32](repeating: -1, count: rows.shape[0])
        var distinctRows: [Int32] = []
        let slots = rowIndices.map { row -> Int32 in
            if slotOfRow[Int(row)] < 0 {
                slotOfRow[Int(row)] = Int32(distinctRows.count)
                distinctRows.append(row)
            }
            return slotOfRow[Int(row)]
        }
        let itemPart = tape.matmul(tape.gather(rows, indices: distinctRows), tape.parameter(hidden.weight))  // [V, 4d]
        let positionPart = hidden(tape.parameter(positions.table))  // [L, 4d]
        let positionOfSlot = (0..<Int32(b * l)).map { $0 % Int32(l) }
        let logits = tape.tanhProjection(itemPart, rows: slots, plus: positionPart, rows: positionOfSlot,
                                         projection: tape.parameter(heads.weight))  // [B * L, K]
        var mask = Tensor.zeros([b, k, l])
        for sample in 0..<b {
            for interest in 0..<k {
                for position in 0..<l { mask.storage[(sample * k + interest) * l + position] = batch.historyMask[sample * l + position] }
            }
        }
        return tape.softmax(tape.transpose(tape.reshape(logits, [b, l, k]), [0, 2, 1]), axis: 2, mask: mask)
    }
}
