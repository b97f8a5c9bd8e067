import MINDCore
import MINDData
import MINDModels
import MINDRetrieval

extension RecommenderModel {
    /// The catalogue's item vectors as the retrieval index wants them.
    public func itemMatrix() -> ItemMatrix {
        let catalogue = items.catalogue()
        return ItemMatrix(count: catalogue.shape[0], dimension: catalogue.shape[1], storage: catalogue.storage)
    }

    /// Interests of evaluation cases: their histories, with profiles from `dataset` where the model reads them.
    public func interestBatch(for cases: ArraySlice<EvaluationCase>, in dataset: Dataset) -> InterestBatch {
        let profiles = usesProfile ? cases.flatMap { dataset.profile(ofUser: Int($0.user)) } : []
        return interestBatch(histories: cases.map { ArraySlice($0.history) }, profiles: profiles)
    }

    /// Interests of a batch of histories (profiles [B * F], or empty when unknown).
    public func interestBatch(histories: [ArraySlice<Int32>], profiles: [Int32]) -> InterestBatch {
        let (vectors, mask) = encode(histories: histories, profiles: profiles)
        return InterestBatch(count: histories.count, interestCount: vectors.shape[1], dimension: vectors.shape[2],
                             vectors: vectors.storage, mask: mask.map { $0 != 0 })
    }
}

/// Full-catalogue evaluation of a trained model on a dataset's valid or test users.
public enum ModelEvaluation {
    public static func evaluate(
        _ model: RecommenderModel, dataset: Dataset, split: EvaluationSplit, cutoffs: [Int] = [10, 20, 50, 100]
    ) throws -> EvaluationResult {
        try evaluateEachUser(model, dataset: dataset, split: split, cutoffs: cutoffs).summary
    }

    /// Every user's metrics, for paired comparisons.
    public static func evaluateEachUser(
        _ model: RecommenderModel, dataset: Dataset, split: EvaluationSplit, cutoffs: [Int] = [10, 20, 50, 100]
    ) throws -> PerUserEvaluation {
        try Evaluator(cutoffs: cutoffs).evaluateEachUser(dataset.evaluationCases(split), items: model.itemMatrix()) { chunk in
            model.interestBatch(for: chunk, in: dataset)
        }
    }

    /// MostPopular over the same cases: training popularity, history excluded.
    public static func evaluateMostPopular(dataset: Dataset, split: EvaluationSplit, cutoffs: [Int] = [10, 20, 50, 100]) throws -> EvaluationResult {
        try evaluateMostPopularEachUser(dataset: dataset, split: split, cutoffs: cutoffs).summary
    }

    /// MostPopular's metrics for every user.
    public static func evaluateMostPopularEachUser(
        dataset: Dataset, split: EvaluationSplit, cutoffs: [Int] = [10, 20, 50, 100]
    ) throws -> PerUserEvaluation {
        let baseline = MostPopular(counts: dataset.itemTrainingCounts())
        return try Evaluator(cutoffs: cutoffs).evaluateEachUser(dataset.evaluationCases(split)) { chunk, n in
            baseline.retrieve(chunk, n: n)
        }
    }
}
