import MINDCore
import MINDNN

/// GRU4Rec's user tower (Hidasi et al. 2016, as RecBole builds it for next-item retrieval): a GRU
/// over the history's item vectors (dropped out in training at `dropout`, RecBole's 0.3; off by default), its
/// state (`gru-hidden-size`, embedding-size unless set) after the last real item through a dense layer back to
/// embedding-size: one vector.
public final class GRU4RecUserTower: SequenceOutputTower {
    public let config: ModelConfig
    public let gru: GRU
    public let dense: Linear
    let inputDropout: Dropout

    public init(config: ModelConfig, generator: inout SeededGenerator) {
        self.config = config
        let d = config.embeddingSize
        let hidden = config.recurrentHiddenSize > 0 ? config.recurrentHiddenSize : d
        gru = GRU(name: "gru4rec.gru", input: d, hidden: hidden, generator: &generator)
        dense = Linear(name: "gru4rec.dense", input: hidden, output: d, generator: &generator)
        inputDropout = Dropout(name: "gru4rec.input.dropout", rate: config.dropout)
    }

    public var parameters: [Parameter] { gru.parameters + dense.parameters }
    public var interestCount: Int { 1 }
    public var usesProfile: Bool { false }

    public func interests(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> UserInterests {
        let (_, last) = gru(inputDropout(behaviours, sampleSeeds: batch.dropoutSeeds), mask: batch.historyMask)  // [B, hidden]
        return singleInterest(dense(last))
    }

    public func positionOutputs(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> Variable {
        dense(gru(inputDropout(behaviours, sampleSeeds: batch.dropoutSeeds), mask: batch.historyMask).states)  // [B, L, hidden] -> [B, L, d]
    }
}
