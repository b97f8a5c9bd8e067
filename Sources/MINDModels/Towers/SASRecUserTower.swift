import MINDCore
import MINDNN

/// SASRec's user tower (Kang and McAuley 2018): position-embedded history, layer norm, then causal
/// transformer blocks (self-attention and a ReLU feed-forward of width 4d, each added back to its
/// input and layer-normalised, as RecBole's SASRec does); the output at the last real position is the
/// user vector. No dropout (RecBole uses 0.5): early stopping on validation guards against overfitting.
public final class SASRecUserTower: SequenceOutputTower, AttentionUserTower {
    public let config: ModelConfig
    let positions: PositionEmbedding
    let inputNorm: LayerNorm
    let blocks: [TransformerBlock]

    public init(config: ModelConfig, generator: inout SeededGenerator) {
        self.config = config
        let d = config.embeddingSize
        positions = PositionEmbedding(name: "sasrec.position", length: config.maxHistoryLength, dimension: d, generator: &generator)
        inputNorm = LayerNorm(name: "sasrec.input.norm", size: d)
        blocks = (0..<config.attentionBlocks).map {
            TransformerBlock(name: "sasrec.block.\($0)", size: d, heads: config.attentionHeads, generator: &generator)
        }
    }

    public var parameters: [Parameter] { [positions.table] + inputNorm.parameters + blocks.flatMap(\.parameters) }
    public var interestCount: Int { 1 }
    public var usesProfile: Bool { false }

    public func interests(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> UserInterests {
        singleInterest(lastPosition(positionOutputs(tape, batch: batch, behaviours: behaviours), batch: batch))
    }

    public func positionOutputs(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Variable {
        var hidden = blockInput(tape, batch: batch, behaviours: behaviours)
        for block in blocks { hidden = block(hidden, keyMask: batch.historyMask) }
        return hidden
    }

    /// The last block's attention from each sample's last real position (the one that gives the user vector),
    /// averaged over the heads: [B, 1, L]. Earlier blocks mix the positions first, so this is where the last
    /// block looks, not a full attribution.
    public func behaviourAttention(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Tensor? {
        guard let last = blocks.last else { return nil }
        var hidden = blockInput(tape, batch: batch, behaviours: behaviours)
        for block in blocks.dropLast() { hidden = block(hidden, keyMask: batch.historyMask) }
        let weights = last.attention.weights(hidden, keyMask: batch.historyMask, causal: true).value  // [B, H, L, L]
        let b = batch.size, h = last.attention.heads, l = batch.length
        var attention = Tensor.zeros([b, 1, l])
        for sample in 0..<b where batch.historyCounts[sample] > 0 {
            let query = batch.historyCounts[sample] - 1
            for head in 0..<h {
                let row = ((sample * h + head) * l + query) * l
                for key in 0..<l { attention.storage[sample * l + key] += weights.storage[row + key] / Float(h) }
            }
        }
        return attention
    }

    /// The position-embedded, normalised behaviours, zero on padding: [B, L, d].
    private func blockInput(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Variable {
        tape.multiply(inputNorm(positions(behaviours)), tape.constant(batch.positionMask))
    }
}

/// A post-norm causal transformer block: x = LN(x + MHA(x)); x = LN(x + W2 relu(W1 x)).
struct TransformerBlock {
    let attention: MultiHeadAttention
    let attentionNorm: LayerNorm
    let feedForward: MultiLayerPerceptron
    let feedForwardNorm: LayerNorm

    init(name: String, size: Int, heads: Int, generator: inout SeededGenerator) {
        attention = MultiHeadAttention(name: "\(name).attention", size: size, heads: heads, generator: &generator)
        attentionNorm = LayerNorm(name: "\(name).attention.norm", size: size)
        feedForward = MultiLayerPerceptron(name: "\(name).feed-forward", sizes: [size, 4 * size, size], generator: &generator)
        feedForwardNorm = LayerNorm(name: "\(name).feed-forward.norm", size: size)
    }

    var parameters: [Parameter] {
        attention.parameters + attentionNorm.parameters + feedForward.parameters + feedForwardNorm.parameters
    }

    /// x: [B, L, d] -> [B, L, d]; position t sees positions <= t that are real.
    func callAsFunction(_ x: Variable, keyMask: [Float]) -> Variable {
        let tape = x.tape
        let attended = attentionNorm(tape.add(x, attention(x, keyMask: keyMask, causal: true)))
        return feedForwardNorm(tape.add(attended, feedForward(attended)))
    }
}
