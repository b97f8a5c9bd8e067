import MINDCore
import MINDNN

/// The optional sequence encoder in front of routing (`sequence-encoder`): behaviours [B, L, d] -> [B, L, d].
struct RoutingInputEncoder {
    let gru: GRU?

    init(name: String, config: ModelConfig, generator: inout SeededGenerator) {
        let d = config.embeddingSize
        gru = config.sequenceEncoder == .gru ? GRU(name: "\(name).encoder.gru", input: d, hidden: d, generator: &generator) : nil
    }

    var parameters: [Parameter] { gru?.parameters ?? [] }

    /// The behaviours routing reads: unchanged, or each one's GRU state (padding is masked by routing).
    func callAsFunction(_ behaviours: Variable, batch: UserBatch) -> Variable {
        guard let gru else { return behaviours }
        return gru(behaviours, mask: batch.historyMask).states
    }
}

/// The capsule layer's predictions u_hat from behaviours, under one of the three bilinear variants:
/// shared S (MIND), S_j per interest (ComiRec-DR) or S_ij per interest and position (ComiRec-DR's
/// reference code).
struct CapsuleBilinearMap {
    let variant: CapsuleBilinear
    /// shared [d, d]; per-interest [d, K*d] (the K maps side by side); per-position [L, d, K*d].
    let map: Parameter
    let interestCount: Int

    /// `variant` must be resolved (not `.modelDefault`). The standard deviation is `bilinear-init-scale` / sqrt(d).
    init(name: String, variant: CapsuleBilinear, config: ModelConfig, generator: inout SeededGenerator) {
        precondition(variant != .modelDefault, "Resolve the model's default bilinear map first.")
        let d = config.embeddingSize, k = config.interestCount, l = config.maxHistoryLength
        let shape: [Int]
        switch variant {
        case .shared: shape = [d, d]
        case .perInterest: shape = [d, k * d]
        case .perPosition, .modelDefault: shape = [l, d, k * d]
        }
        self.variant = variant
        interestCount = k
        map = Parameter(name: name, value: .randomNormal(shape, standardDeviation: config.bilinearInitScale / Float(d).squareRoot(), using: &generator))
    }

    /// Whether every interest shares one prediction per behaviour (routing's `sharedPredictions`).
    var isShared: Bool { variant == .shared }

    /// behaviours [B, L, d] -> u_hat: [B, L, d] when shared, else [B*K, L, d] (one per interest and behaviour).
    func callAsFunction(_ tape: Tape, behaviours: Variable) -> Variable {
        let b = behaviours.shape[0], l = behaviours.shape[1], d = behaviours.shape[2], k = interestCount
        let stacked: Variable  // [B, L, K, d]
        switch variant {
        case .shared:
            return tape.matmul(behaviours, tape.parameter(map))
        case .perInterest, .modelDefault:
            stacked = tape.reshape(tape.matmul(behaviours, tape.parameter(map)), [b, l, k, d])
        case .perPosition:
            precondition(map.shape[0] == l, "Per-position maps were built for histories of \(map.shape[0]), not \(l).")
            // [L, B, d] x [L, d, K*d] -> [L, B, K*d]: each position through its own maps.
            let byPosition = tape.batchedMatmul(tape.transpose(behaviours, [1, 0, 2]), tape.parameter(map))
            stacked = tape.transpose(tape.reshape(byPosition, [l, b, k, d]), [1, 0, 2, 3])
        }
        // [B, L, K, d] -> [B, K, L, d] -> [B*K, L, d]
        return tape.reshape(tape.transpose(stacked, [0, 2, 1, 3]), [b * k, l, d])
    }
}
