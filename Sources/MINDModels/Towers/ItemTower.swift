import MINDCore
import MINDData
import MINDNN

/// Item vectors: the item-id embedding plus each side feature's mean-pooled embedding.
/// The same vectors serve as behaviours in histories, as targets and negatives, and as
/// the catalogue searched at serving time.
public final class ItemTower {
    public let identity: Embedding
    public let featureEmbeddings: [Embedding]
    public let features: [CategoricalFeature]

    public init(schema: DataSchema, dimension: Int, generator: inout SeededGenerator) {
        identity = Embedding(name: "item.id", count: schema.itemCount, dimension: dimension, generator: &generator)
        features = schema.itemFeatures
        featureEmbeddings = schema.itemFeatures.map {
            Embedding(name: "item.feature.\($0.name)", count: $0.cardinality, dimension: dimension, generator: &generator)
        }
    }

    public var parameters: [Parameter] { [identity.table] + featureEmbeddings.map(\.table) }
    public var dimension: Int { identity.dimension }
    public var itemCount: Int { identity.count }

    /// Vectors of the given items: [items.count, d].
    public func callAsFunction(_ tape: Tape, _ items: [Int32]) -> Variable {
        var vectors = identity(tape, items)  // [n, d]
        for (feature, embedding) in zip(features, featureEmbeddings) {
            let (offsets, values) = feature.subset(items)
            vectors = tape.add(vectors, embedding.pooled(tape, offsets: offsets, values: values))
        }
        return vectors
    }

    /// Every item's vector, [N, d], outside any training tape; computed as serving computes the items of a batch.
    public func catalogue() -> Tensor {
        let tape = Tape(products: .rowIndependent)
        return self(tape, (0..<Int32(itemCount)).map { $0 }).value
    }
}
