import MINDCore
import MINDNN

/// ComiRec-DR's user tower (Cen et al., KDD 2020): dynamic routing in which every interest j
/// has its own bilinear map, u_hat_ij = e_i S_j, so interests differ by construction rather
/// than by a random routing start; the squashed capsules are the interests (no MLP, no profile).
///
/// As in ComiRec's code, routing logits start at zero and all K interests are used for every
/// user (`routing-init` and `dynamic-interests` are MIND's). By default its maps are shared across
/// history positions, so any history length works; `bilinear: per-position` gives the reference code's
/// one map per interest and position, `shared` MIND's single map.
public final class ComiRecDRUserTower: RoutingUserTower {
    public let config: ModelConfig
    /// [d, K * d]: the K maps S_j side by side (or the `bilinear` variant's maps).
    public var bilinear: Parameter { predictions.map }
    let predictions: CapsuleBilinearMap
    let encoder: RoutingInputEncoder

    public init(config: ModelConfig, generator: inout SeededGenerator) {
        self.config = config
        let variant = config.bilinear == .modelDefault ? .perInterest : config.bilinear
        predictions = CapsuleBilinearMap(name: "comirec.bilinear", variant: variant, config: config, generator: &generator)
        encoder = RoutingInputEncoder(name: "comirec", config: config, generator: &generator)
    }

    public var parameters: [Parameter] { [bilinear] + encoder.parameters }
    public var interestCount: Int { config.interestCount }
    public var usesProfile: Bool { false }

    public func interests(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> UserInterests {
        let routing = route(tape, batch: batch, behaviours: behaviours)
        return UserInterests(vectors: routing.capsules, mask: routing.interestMask, interestCount: config.interestCount, routing: routing)
    }

    public func route(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> InterestRouting {
        let b = batch.size, l = batch.length, k = config.interestCount
        let predicted = predictions(tape, behaviours: encoder(behaviours, batch: batch))  // u_hat: [B*K, L, d], or [B, L, d] when shared
        let (interestMask, routingMask) = CapsuleRouting.masks(batch: batch, interestCount: k) { _ in k }
        let (capsules, weights) = CapsuleRouting(
            iterations: config.routingIterations, stopGradient: config.stopGradientThroughRouting, sharedPredictions: predictions.isShared
        ).run(tape, predictions: predicted, logits: Tensor.zeros([b, k, l]), mask: routingMask)
        return InterestRouting(capsules: capsules, weightVariable: weights, routingMask: routingMask, interestMask: interestMask)
    }
}
