import MINDCore
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

extension DataSchema {
    /// The most items a model may have (item indices are Int32; 100M is far beyond any catalogue here).
    public static let maximumItemCount = 100_000_000
    /// The most item or user features a model may have.
    public static let maximumFeatureCount = 256
    /// The most values in one feature's vocabulary (one embedding row each).
    public static let maximumVocabularySize = 10_000_000

    /// Checks what decoding cannot: counts within the bounds above, one row of values per item, offsets
    /// that never go back, every value index inside its vocabulary, distinct feature names (they name the
    /// weights), so that a damaged `schema.json` (at `path`) is refused before it sizes an allocation or
    /// an embedding read. Throws `ModelBundleError.invalidField` naming the field.
    public func validate(path: String) throws {
        func invalid(_ field: String, _ reason: String) -> ModelBundleError { .invalidField(path, field: field, reason) }
        guard (0...DataSchema.maximumItemCount).contains(itemCount) else {
            throw invalid("itemCount", "\(itemCount) is outside 0...\(DataSchema.maximumItemCount)")
        }
        for (side, count) in [("itemFeatures", itemFeatures.count), ("userFeatures", userFeatures.count)] where count > DataSchema.maximumFeatureCount {
            throw invalid(side, "\(count) features, at most \(DataSchema.maximumFeatureCount) are allowed")
        }
        func checkVocabulary(_ field: String, _ vocabulary: [String]) throws {
            guard (1...DataSchema.maximumVocabularySize).contains(vocabulary.count) else {
                throw invalid("\(field).vocabulary", "\(vocabulary.count) values, expected 1...\(DataSchema.maximumVocabularySize)")
            }
            guard vocabulary[0] == CategoricalFeature.unknown else {
                throw invalid("\(field).vocabulary[0]", "is \"\(vocabulary[0])\", index 0 must be \"\(CategoricalFeature.unknown)\"")
            }
        }
        func checkNames(_ side: String, _ names: [String]) throws {
            var seen = Set<String>()
            for (index, name) in names.enumerated() where !seen.insert(name).inserted {
                throw invalid("\(side)[\(index)].name", "\"\(name)\" names two features")
            }
        }
        try checkNames("itemFeatures", itemFeatures.map(\.name))
        try checkNames("userFeatures", userFeatures.map(\.name))
        for (index, feature) in itemFeatures.enumerated() {
            let field = "itemFeatures[\(index)] (\(feature.name))"
            try checkVocabulary(field, feature.vocabulary)
            guard feature.offsets.count == itemCount + 1 else {
                throw invalid("\(field).offsets", "has \(feature.offsets.count) entries, expected itemCount + 1 = \(itemCount + 1)")
            }
            // Decoding checked offsets[0] == 0 and offsets.last == values.count; in between they must not decrease.
            for item in 0..<itemCount where feature.offsets[item + 1] < feature.offsets[item] {
                throw invalid("\(field).offsets[\(item + 1)]", "\(feature.offsets[item + 1]) is less than the offset before it, \(feature.offsets[item])")
            }
            let cardinality = Int32(feature.vocabulary.count)
            if let bad = feature.values.firstIndex(where: { $0 < 0 || $0 >= cardinality }) {
                throw invalid("\(field).values[\(bad)]", "\(feature.values[bad]) is outside the vocabulary 0..<\(cardinality)")
            }
        }
        for (index, feature) in userFeatures.enumerated() {
            try checkVocabulary("userFeatures[\(index)] (\(feature.name))", feature.vocabulary)
        }
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

    /// Index of an external value, matched by bytes as prepare told values apart; 0 (unknown) when the value was
    /// never seen. A linear scan: user features are a handful of values (gender, age band, occupation).
    public func index(of value: String) -> Int32 {
        let wanted = ExactString(value)
        if let i = vocabulary.firstIndex(where: { ExactString($0) == wanted }) { return Int32(i) }
        return 0
    }
}
