import ArgumentParser
import MINDData
import MINDEval
import MINDRetrieval
import MINDServing

/// `--diversity-factor F` of `evaluate` and `recommend`: ComiRec's controllable aggregation over the categories
/// in `facts`; nil when F is 0. A positive F without a category feature is an error that says so.
func diversityAggregation(factor: Float, facts: CatalogueFacts) throws -> DiverseAggregation? {
    guard factor > 0 else { return nil }
    guard let categories = facts.categories else {
        throw CommandInputError("--diversity-factor needs an item category feature in the dataset (see --category-feature)")
    }
    return DiverseAggregation(factor: factor, categories: categories)
}

/// `mind serve --diversity-factor F`: the categories of the dataset's items kept by item id, so the aggregation
/// fits every model the service loads, including one reloaded over another catalogue (an item the dataset does
/// not know has no category).
struct CategoriesByItemID: Sendable {
    let factor: Float
    /// The dataset's items (looked up by bytes) and each one's categories, in its dense order.
    private let items: Vocabulary
    private let categories: [[Int32]]

    /// nil when `factor` is 0; an error when the dataset has no category feature.
    init?(factor: Float, dataset: Dataset) throws {
        guard let aggregation = try diversityAggregation(factor: factor, facts: CatalogueFacts(dataset: dataset, labels: try ItemLabels(dataset: dataset)))
        else { return nil }
        self.factor = factor
        items = dataset.items
        categories = aggregation.categories
    }

    /// `recommender` merging its interests by the aggregation over its own items.
    func applied(to recommender: Recommender) -> Recommender {
        recommender.aggregating(by: DiverseAggregation(factor: factor, categories: recommender.itemIDs.map { items.index(of: $0).map { categories[Int($0)] } ?? [] }))
    }
}

/// Refuses a negative or non-finite `--diversity-factor` before any work.
func checkDiversityFactor(_ factor: Float) throws {
    guard factor >= 0, factor.isFinite else { throw ValidationError("--diversity-factor must be a finite number >= 0") }
}
