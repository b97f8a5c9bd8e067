import MINDCore
import MINDNN

/// ComiRec-DR's user tower (Cen et al., KDD 2020): dynamic routing in which every interest j
/// has its own bilinear map, u_hat_ij = e_i S_j, so interests differ by construction rather
/// than by a random routing start; the squashed capsules are the interests (no MLP, no profile).
///
/// As in ComiRec's code, routing logits start at zero and all K interests are used for every
/// user (`routing-init` and `dynamic-interests` are MIND's). Its maps are shared across history
/// positions (the reference code also has one per position), so any history length works.
public final class ComiRecDRUserTower: RoutingUserTower {
    public let config: ModelConfig
    /// [d, K * d]: the K maps S_j side by side.
    public let bilinear: Parameter

    public init(config: ModelConfig, generator: inout SeededGenerator) {
        self.config = config
        let d = config.embeddingSize, k = config.interestCount
        bilinear = Parameter(
            name: "comirec.bilinear",
            value: .randomNormal([d, k * d], standardDeviation: config.bilinearInitScale / Float(d).squareRoot(), using: &generator))
    }

    public var parameters: [Parameter] { [bilinear] }
    public var interestCount: Int { config.interestCount }
    public var usesProfile: Bool { false }

    public func interests(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> UserInterests {
        let routing = route(tape, batch: batch, behaviours: behaviours)
        return UserInterests(vectors: routing.capsules, mask: routing.interestMask, interestCount: config.interestCount, routing: routing)
    }

    public func route(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> InterestRouting {
        let b = batch.size, l = batch.length, k = config.interestCount, d = config.embeddingSize
        // u_hat: [B, L, K*d] -> [B, K, L, d] -> [B*K, L, d], one prediction per (interest, behaviour).
        let stacked = tape.reshape(tape.matmul(behaviours, tape.parameter(bilinear)), [b, l, k, d])
        let predictions = tape.reshape(tape.transpose(stacked, [0, 2, 1, 3]), [b * k, l, d])
        let (interestMask, routingMask) = CapsuleRouting.masks(batch: batch, interestCount: k) { _ in k }
        let (capsules, weights) = CapsuleRouting(
            iterations: config.routingIterations, stopGradient: config.stopGradientThroughRouting, sharedPredictions: false
        ).run(tape, predictions: predictions, logits: Tensor.zeros([b, k, l]), mask: routingMask)
        return InterestRouting(capsules: capsules, weightVariable: weights, routingMask: routingMask, interestMask: interestMask)
    }
}
