import MINDCore
import MINDNN

/// YouTubeDNN's user tower (Covington et al. 2016): the mean of the history's item vectors,
/// with the profile, through a ReLU MLP: one interest per user.
public final class YouTubeDNNUserTower: UserTower {
    public let config: ModelConfig
    public let mlp: ProfileConditionedMLP

    public init(config: ModelConfig, schema: DataSchema, generator: inout SeededGenerator) {
        self.config = config
        mlp = ProfileConditionedMLP(name: "youtubednn", config: config, schema: schema, generator: &generator)
    }

    public var parameters: [Parameter] {
        mlp.parameters
    }

    public var interestCount: Int { 1 }

    public var usesProfile: Bool { mlp.profile != nil }

    public func interests(_ tape: Tape, batch: UserBatch, behaviours: Variable) -> UserInterests {
        let b = batch.size, l = batch.length, d = config.embeddingSize
        // Masked mean over the history: weights 1/n on real behaviours, 0 on padding.
        var weights = Tensor.zeros([b, 1, l])
        for sample in 0..<b {
            let share = 1 / Float(batch.historyCounts[sample])
            for position in 0..<l { weights.storage[sample * l + position] = batch.historyMask[sample * l + position] * share }
        }
        let pooled = tape.batchedMatmul(tape.constant(weights), behaviours)  // [B, 1, d]
        let hidden = mlp(pooled, batch: batch)  // [B, 1, d]
        precondition(hidden.shape == [b, 1, d], "YouTubeDNN output has shape \(hidden.shape), expected \([b, 1, d]).")
        return UserInterests(vectors: hidden, mask: [Float](repeating: 1, count: b), interestCount: 1)
    }
}
