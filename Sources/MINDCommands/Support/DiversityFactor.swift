import ArgumentParser
import MINDEval
import MINDRetrieval

/// `--diversity-factor F` of `evaluate` and `recommend`: ComiRec's controllable aggregation over the categories
/// in `facts`; nil when F is 0. A positive F without a category feature is an error that says so.
func diversityAggregation(factor: Float, facts: CatalogueFacts) throws -> DiverseAggregation? {
    guard factor > 0 else { return nil }
    guard let categories = facts.categories else {
        throw CommandInputError("--diversity-factor needs an item category feature in the dataset (see --category-feature)")
    }
    return DiverseAggregation(factor: factor, categories: categories)
}

/// Refuses a negative or non-finite `--diversity-factor` before any work.
func checkDiversityFactor(_ factor: Float) throws {
    guard factor >= 0, factor.isFinite else { throw ValidationError("--diversity-factor must be a number >= 0") }
}
