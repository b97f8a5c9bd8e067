import Foundation

/// What a person reads for an item: its title (or id) and its categories (genres on MovieLens), used by
/// `mind explain`, `mind report` and the demo to label items.
public struct ItemLabels: Sendable {
    /// External item ids, by item index.
    public let ids: [String]
    /// Titles by item index, when the dataset has a title column.
    public let titles: [String]?
    /// The feature used as the item's categories, if any.
    public let category: CategoricalFeature?

    /// Labels from `dataset`. `categoryFeature` names the item feature to read as categories; nil picks one
    /// whose name mentions "genre" or "categor", else the first multi-valued item feature, else none.
    public init(dataset: Dataset, categoryFeature: String? = nil) throws {
        ids = dataset.items.ids
        titles = dataset.itemTitles
        if let categoryFeature {
            guard let feature = dataset.itemFeatures.first(where: { $0.name == categoryFeature }) else {
                throw ItemLabelsError.unknownFeature(categoryFeature, available: dataset.itemFeatures.map(\.name))
            }
            category = feature
        } else {
            category = Self.likelyCategory(among: dataset.itemFeatures)
        }
    }

    /// Labels from ids alone (no dataset at hand): titles are the ids, no categories.
    public init(ids: [String]) {
        self.ids = ids
        titles = nil
        category = nil
    }

    /// The feature that most likely holds categories.
    static func likelyCategory(among features: [CategoricalFeature]) -> CategoricalFeature? {
        features.first { feature in
            let name = feature.name.lowercased()
            return name.contains("genre") || name.contains("categor")
        } ?? features.first(where: \.isMultiValued)
    }

    /// The item's title, or its id when there are no titles.
    public func title(of item: Int32) -> String {
        titles?[Int(item)] ?? ids[Int(item)]
    }

    /// The item's category names (empty without a category feature, or for an item without one).
    public func categories(of item: Int32) -> [String] {
        guard let category, Int(item) < category.entityCount else { return [] }
        return category.values(of: Int(item)).compactMap { value in
            let name = category.vocabulary[Int(value)]
            return name == CategoricalFeature.unknown ? nil : name
        }
    }

    /// Every category name, in vocabulary order, without the unknown value.
    public var categoryNames: [String] {
        category?.vocabulary.filter { $0 != CategoricalFeature.unknown } ?? []
    }

    /// "Title [cat1|cat2]" for one-line listings.
    public func describe(_ item: Int32) -> String {
        let categories = categories(of: item)
        return categories.isEmpty ? title(of: item) : "\(title(of: item))  [\(categories.joined(separator: "|"))]"
    }

    /// Shannon entropy (bits) of the category distribution over `items`, each item's categories sharing one
    /// unit of weight; nil when no item has a category.
    public func categoryEntropy(of items: some Sequence<Int32>) -> Double? {
        var weights: [String: Double] = [:]
        for item in items {
            let categories = categories(of: item)
            for name in categories { weights[name, default: 0] += 1 / Double(categories.count) }
        }
        let total = weights.values.reduce(0, +)
        guard total > 0 else { return nil }
        return weights.values.reduce(0) { entropy, weight in
            let p = weight / total
            return entropy - p * log2(p)
        }
    }
}

/// Why item labels could not be built.
public enum ItemLabelsError: Error, CustomStringConvertible, Equatable {
    case unknownFeature(String, available: [String])

    public var description: String {
        switch self {
        case .unknownFeature(let name, let available):
            return "the dataset has no item feature '\(name)'"
                + (available.isEmpty ? " (it has no item features)" : "; its item features: \(available.joined(separator: ", "))")
        }
    }
}
