import MINDCore
import MINDNN

/// YouTubeDNN's user tower (Covington et al. 2016): the mean of the history's item vectors,
/// with the profile, through a ReLU MLP: one interest per user.
public final class YouTubeDNNUserTower: UserTower {
    public let config: ModelConfig
    public let profile: ProfileEncoder?
    public let historyProjection: Linear
    public let profileProjection: Linear?
    public let mlpRest: [Linear]

    public init(config: ModelConfig, schema: DataSchema, generator: inout SeededGenerator) {
        self.config = config
        let d = config.embeddingSize
        let usesProfile = config.useProfile && !schema.userFeatures.isEmpty
        profile = usesProfile ? ProfileEncoder(specs: schema.userFeatures, dimensionPerFeature: max(4, d / 4), generator: &generator) : nil
        let sizes = config.mlpHidden + [d]
        historyProjection = Linear(name: "youtubednn.mlp.0", input: d, output: sizes[0], generator: &generator)
        profileProjection = profile.map { Linear(name: "youtubednn.mlp.0.profile", input: $0.outputSize, output: sizes[0], bias: false, generator: &generator) }
        mlpRest = (1..<sizes.count).map { Linear(name: "youtubednn.mlp.\($0)", input: sizes[$0 - 1], output: sizes[$0], generator: &generator) }
    }

    public var parameters: [Parameter] {
        (profile?.parameters ?? []) + historyProjection.parameters + (profileProjection?.parameters ?? []) + mlpRest.flatMap(\.parameters)
    }

    public var interestCount: Int { 1 }

    public func interests(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> UserInterests {
        let b = batch.size, l = batch.length, d = config.embeddingSize
        // Masked mean over the history: weights 1/n on real behaviours, 0 on padding.
        var weights = Tensor.zeros([b, 1, l])
        for sample in 0..<b {
            let share = 1 / Float(batch.historyCounts[sample])
            for position in 0..<l { weights.storage[sample * l + position] = batch.historyMask[sample * l + position] * share }
        }
        let pooled = tape.batchedMatmul(tape.constant(weights), behaviours)  // [B, 1, d]
        var hidden = historyProjection(pooled)  // [B, 1, h]
        if let profile, let profileProjection {
            let profileHidden = profileProjection(profile(tape, profiles: batch.profiles, batch: b))  // [B, h]
            hidden = tape.add(hidden, tape.reshape(profileHidden, [b, 1, profileHidden.shape[1]]))
        }
        for layer in mlpRest { hidden = layer(tape.relu(hidden)) }
        precondition(hidden.shape == [b, 1, d], "YouTubeDNN output has shape \(hidden.shape), expected \([b, 1, d]).")
        return UserInterests(vectors: hidden, mask: [Float](repeating: 1, count: b), interestCount: 1)
    }
}
