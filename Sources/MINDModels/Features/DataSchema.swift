import MINDData

extension CategoricalFeature {
    /// Number of values, the size of the feature's embedding table.
    public var cardinality: Int { vocabulary.count }

    /// The CSR rows of the given entities, in that order.
    public func subset(_ entities: [Int32]) -> (offsets: [Int32], values: [Int32]) {
        var subsetOffsets = [Int32](repeating: 0, count: entities.count + 1)
        var subsetValues: [Int32] = []
        subsetValues.reserveCapacity(entities.count * 2)
        for (i, entity) in entities.enumerated() {
            subsetValues.append(contentsOf: values(of: Int(entity)))
            subsetOffsets[i + 1] = Int32(subsetValues.count)
        }
        return (subsetOffsets, subsetValues)
    }
}

/// What a model needs to know about the data beyond item indices: item side features and
/// the user-profile features (vocabularies only; values come with each request or sample).
public struct DataSchema: Codable, Equatable, Sendable {
    public var itemCount: Int
    public var itemFeatures: [CategoricalFeature]
    /// Name and vocabulary of each single-valued user-profile feature.
    public var userFeatures: [UserFeatureSpec]

    public init(itemCount: Int, itemFeatures: [CategoricalFeature], userFeatures: [UserFeatureSpec]) {
        self.itemCount = itemCount
        self.itemFeatures = itemFeatures
        self.userFeatures = userFeatures
    }
}

/// A single-valued categorical user feature (gender, age band, occupation).
public struct UserFeatureSpec: Codable, Equatable, Sendable {
    public var name: String
    public var vocabulary: [String]

    public init(name: String, vocabulary: [String]) {
        self.name = name
        self.vocabulary = vocabulary
    }

    /// Index of an external value; 0 (unknown) when the value was never seen.
    public func index(of value: String) -> Int32 {
        if let i = vocabulary.firstIndex(of: value) { return Int32(i) }
        return 0
    }
}
