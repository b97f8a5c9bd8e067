import MINDCore
import MINDNN

/// MIND's user tower (Li et al. 2019): behaviour-to-interest (B2I) dynamic routing with
/// one shared bilinear map S, a dynamic interest count, and a shared MLP over each
/// interest concatenated with the user profile.
public final class MINDUserTower: RoutingUserTower {
    public let config: ModelConfig
    /// S: [d, d], shared by every behaviour and interest: u_hat_i = e_i S (or the `bilinear` variant's maps).
    public var bilinear: Parameter { predictions.map }
    let predictions: CapsuleBilinearMap
    /// The shared MLP over [interest, profile].
    public let mlp: ProfileConditionedMLP
    let encoder: RoutingInputEncoder

    public init(config: ModelConfig, schema: DataSchema, generator: inout SeededGenerator) {
        self.config = config
        let variant = config.bilinear == .modelDefault ? .shared : config.bilinear
        predictions = CapsuleBilinearMap(name: "mind.bilinear", variant: variant, config: config, generator: &generator)
        mlp = ProfileConditionedMLP(name: "mind", config: config, schema: schema, generator: &generator)
        encoder = RoutingInputEncoder(name: "mind", config: config, generator: &generator)
    }

    public var parameters: [Parameter] {
        [bilinear] + mlp.parameters + encoder.parameters
    }

    public var interestCount: Int { config.interestCount }

    public var usesProfile: Bool { mlp.profile != nil }

    /// K'_u = max(1, min(K, floor(log2 n))) for n behaviours, or K when dynamic K is off.
    public func activeInterests(behaviourCount: Int) -> Int {
        guard config.dynamicInterestCount else { return config.interestCount }
        let logarithm = behaviourCount > 0 ? Int.bitWidth - 1 - behaviourCount.leadingZeroBitCount : 0
        return max(1, min(config.interestCount, logarithm))
    }

    public func interests(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> UserInterests {
        let b = batch.size, k = config.interestCount, d = config.embeddingSize
        let routing = route(tape, batch: batch, behaviours: behaviours)

        // Shared MLP over [interest, profile]; unused interests are zeroed.
        let hidden = mlp(routing.capsules, batch: batch)  // [B, K, d]
        let masked = tape.multiply(hidden, tape.constant(Tensor(shape: [b, k, 1], storage: routing.interestMask)))
        precondition(masked.shape == [b, k, d], "MIND interests have shape \(masked.shape), expected \([b, k, d]).")
        return UserInterests(vectors: masked, mask: routing.interestMask, interestCount: k, routing: routing)
    }

    /// Dynamic routing of a batch's behaviours ([B, L, d]) into up to K capsules.
    public func route(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> InterestRouting {
        let k = config.interestCount
        let predicted = predictions(tape, behaviours: encoder(behaviours, batch: batch))  // u_hat: [B, L, d], or [B*K, L, d] per interest

        let (interestMask, routingMask) = CapsuleRouting.masks(batch: batch, interestCount: k) {
            activeInterests(behaviourCount: batch.historyCounts[$0])
        }
        let logits = initialLogits(batch: batch)  // [B, K, L]
        let (capsules, weights) = CapsuleRouting(
            iterations: config.routingIterations, stopGradient: config.stopGradientThroughRouting, sharedPredictions: predictions.isShared
        ).run(tape, predictions: predicted, logits: logits, mask: routingMask)
        return InterestRouting(capsules: capsules, weightVariable: weights, routingMask: routingMask, interestMask: interestMask)
    }

    /// b_ij at the start of routing: N(0, sigma^2) drawn per sample, or zero.
    func initialLogits(batch: UserBatch) -> Tensor {
        let k = config.interestCount, l = batch.length
        var logits = Tensor.zeros([batch.size, k, l])
        guard config.routingInitialisation == .gaussian else { return logits }
        for sample in 0..<batch.size {
            // One stream per interest, drawn along positions, so padding added at the end of a
            // history never changes the draws of its real behaviours.
            for interest in 0..<k {
                var generator = SeededGenerator(seed: batch.routingSeeds[sample] ^ (UInt64(interest + 1) &* 0x9E37_79B9_7F4A_7C15))
                logits.storage.withUnsafeMutableBufferPointer { storage in
                    let row = UnsafeMutableBufferPointer(rebasing: storage[((sample * k + interest) * l)..<((sample * k + interest + 1) * l)])
                    generator.fillNormal(row, scale: config.routingSigma)
                }
            }
        }
        return logits
    }
}
