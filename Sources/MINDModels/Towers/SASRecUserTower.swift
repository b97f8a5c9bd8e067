import MINDCore
import MINDNN

/// SASRec's user tower (Kang and McAuley 2018): position-embedded history, layer norm, then causal
/// transformer blocks (self-attention and a ReLU feed-forward of width 4d, each added back to its
/// input and layer-normalised, as RecBole's SASRec does); the output at the last real position is the
/// user vector. `dropout` (off by default; RecBole uses 0.5) drops the block input and each sub-layer's output
/// in training, as RecBole's hidden dropout does; `attention-dropout` drops the attention weights (RecBole: 0.5),
/// and `feed-forward-activation: gelu` is RecBole's feed-forward non-linearity (ours defaults to ReLU).
public final class SASRecUserTower: SequenceOutputTower, AttentionUserTower {
    public let config: ModelConfig
    let positions: PositionEmbedding
    let inputNorm: LayerNorm
    let inputDropout: Dropout
    let blocks: [TransformerBlock]

    public init(config: ModelConfig, generator: inout SeededGenerator) {
        self.config = config
        let d = config.embeddingSize
        positions = PositionEmbedding(name: "sasrec.position", length: config.maxHistoryLength, dimension: d, generator: &generator)
        inputNorm = LayerNorm(name: "sasrec.input.norm", size: d)
        inputDropout = Dropout(name: "sasrec.input.dropout", rate: config.dropout)
        blocks = (0..<config.attentionBlocks).map {
            TransformerBlock(name: "sasrec.block.\($0)", size: d, heads: config.attentionHeads, dropout: config.dropout,
                             attentionWeightDropout: config.attentionDropout, activation: config.feedForwardActivation, generator: &generator)
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
        for block in blocks { hidden = block(hidden, keyMask: batch.historyMask, dropoutSeeds: batch.dropoutSeeds) }
        return hidden
    }

    /// The last block's attention from each sample's last real position (the one that gives the user vector),
    /// averaged over the heads: [B, 1, L]. Earlier blocks mix the positions first, so this is where the last
    /// block looks, not a full attribution.
    public func behaviourAttention(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Tensor? {
        guard let last = blocks.last else { return nil }
        var hidden = blockInput(tape, batch: batch, behaviours: behaviours)
        for block in blocks.dropLast() { hidden = block(hidden, keyMask: batch.historyMask, dropoutSeeds: batch.dropoutSeeds) }
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

    /// The position-embedded, normalised behaviours (dropped out in training), zero on padding: [B, L, d].
    private func blockInput(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Variable {
        inputDropout(tape.multiply(inputNorm(positions(behaviours)), tape.constant(batch.positionMask)), sampleSeeds: batch.dropoutSeeds)
    }
}

/// A post-norm causal transformer block: x = LN(x + drop(MHA(x))); x = LN(x + drop(W2 act(W1 x))), act ReLU or GELU;
/// MHA may drop its attention weights too.
struct TransformerBlock {
    let attention: MultiHeadAttention
    let attentionNorm: LayerNorm
    let feedForward: MultiLayerPerceptron
    let feedForwardNorm: LayerNorm
    let attentionDropout: Dropout
    let feedForwardDropout: Dropout

    init(name: String, size: Int, heads: Int, dropout: Float, attentionWeightDropout: Float, activation: Activation,
         generator: inout SeededGenerator) {
        attention = MultiHeadAttention(name: "\(name).attention", size: size, heads: heads, weightDropout: attentionWeightDropout,
                                       generator: &generator)
        attentionNorm = LayerNorm(name: "\(name).attention.norm", size: size)
        feedForward = MultiLayerPerceptron(name: "\(name).feed-forward", sizes: [size, 4 * size, size], activation: activation,
                                           generator: &generator)
        feedForwardNorm = LayerNorm(name: "\(name).feed-forward.norm", size: size)
        attentionDropout = Dropout(name: "\(name).attention.dropout", rate: dropout)
        feedForwardDropout = Dropout(name: "\(name).feed-forward.dropout", rate: dropout)
    }

    var parameters: [Parameter] {
        attention.parameters + attentionNorm.parameters + feedForward.parameters + feedForwardNorm.parameters
    }

    /// x: [B, L, d] -> [B, L, d]; position t sees positions <= t that are real. `dropoutSeeds`: one per sample
    /// in training, nil when serving.
    func callAsFunction(_ x: Variable, keyMask: [Float], dropoutSeeds: [UInt64]?) -> Variable {
        let tape = x.tape
        let attended = attentionNorm(tape.add(x, attentionDropout(attention(x, keyMask: keyMask, causal: true, dropoutSeeds: dropoutSeeds), sampleSeeds: dropoutSeeds)))
        return feedForwardNorm(tape.add(attended, feedForwardDropout(feedForward(attended), sampleSeeds: dropoutSeeds)))
    }
}
