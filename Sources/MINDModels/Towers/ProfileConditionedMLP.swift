import MINDCore
import MINDNN

/// The MLP both user towers end in: each input vector (an interest, or the pooled history)
/// concatenated with the user-profile embedding, through ReLU layers to d. The first layer
/// is split into an input part and a profile part, so the profile's product is computed
/// once per user rather than once per interest.
public final class ProfileConditionedMLP {
    public let profile: ProfileEncoder?
    public let inputProjection: Linear
    public let profileProjection: Linear?
    public let rest: [Linear]

    public init(name: String, config: ModelConfig, schema: DataSchema, generator: inout SeededGenerator) {
        let d = config.embeddingSize
        let usesProfile = config.useProfile && !schema.userFeatures.isEmpty
        profile = usesProfile ? ProfileEncoder(specs: schema.userFeatures, dimensionPerFeature: max(4, d / 4), generator: &generator) : nil
        let sizes = config.mlpHidden + [d]
        inputProjection = Linear(name: "\(name).mlp.0", input: d, output: sizes[0], generator: &generator)
        profileProjection = profile.map { Linear(name: "\(name).mlp.0.profile", input: $0.outputSize, output: sizes[0], bias: false, generator: &generator) }
        rest = (1..<sizes.count).map { Linear(name: "\(name).mlp.\($0)", input: sizes[$0 - 1], output: sizes[$0], generator: &generator) }
    }

    public var parameters: [Parameter] {
        (profile?.parameters ?? []) + inputProjection.parameters + (profileProjection?.parameters ?? []) + rest.flatMap(\.parameters)
    }

    /// inputs: [B, K, d] (K = 1 for one vector per user) -> [B, K, d]
    public func callAsFunction(_ inputs: Variable, batch: UserBatch) -> Variable {
        let tape = inputs.tape
        var hidden = inputProjection(inputs)  // [B, K, h]
        if let profile, let profileProjection {
            let profileHidden = profileProjection(profile(tape, profiles: batch.profiles, batch: batch.size))  // [B, h]
            hidden = tape.add(hidden, tape.reshape(profileHidden, [batch.size, 1, profileHidden.shape[1]]))
        }
        for layer in rest { hidden = layer(tape.relu(hidden)) }
        return hidden
    }
}
