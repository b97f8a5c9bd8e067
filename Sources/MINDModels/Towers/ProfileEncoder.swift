import MINDCore
import MINDNN

/// User-profile features (one categorical value per feature) to one vector: the feature
/// embeddings concatenated. Index 0 is "unknown", which profile dropout teaches the model
/// to handle, so users without a profile are served well.
public final class ProfileEncoder {
    public let embeddings: [Embedding]

    public init(specs: [UserFeatureSpec], dimensionPerFeature: Int, generator: inout SeededGenerator) {
        embeddings = specs.map {
            Embedding(name: "user.feature.\($0.name)", count: $0.vocabulary.count, dimension: dimensionPerFeature, generator: &generator)
        }
    }

    public var parameters: [Parameter] { embeddings.map(\.table) }
    public var outputSize: Int { embeddings.reduce(0) { $0 + $1.dimension } }
    public var featureCount: Int { embeddings.count }

    /// profiles: [B * F] value indices, row-major per user -> [B, F * dimensionPerFeature].
    public func callAsFunction(_ tape: Tape, profiles: [Int32], batch: Int) -> Variable {
        let featureCount = embeddings.count
        let parts = embeddings.enumerated().map { f, embedding in
            embedding(tape, (0..<batch).map { profiles[$0 * featureCount + f] })
        }
        return parts.count == 1 ? parts[0] : tape.concat(parts, axis: 1)
    }
}
