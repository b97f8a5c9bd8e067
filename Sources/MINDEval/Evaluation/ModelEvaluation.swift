import MINDCore
import MINDData
import MINDModels
import MINDRetrieval
import MINDServing

/// Full-catalogue evaluation of a trained model on a dataset's valid or test users.
public enum ModelEvaluation {
    /// Averages over the `split` users of `dataset`, retrieving with the recommender's index.
    public static func evaluate(
        _ recommender: Recommender, dataset: Dataset, split: EvaluationSplit, cutoffs: [Int] = [10, 20, 50, 100]
    ) throws -> EvaluationResult {
        try evaluateEachUser(recommender, dataset: dataset, split: split, cutoffs: cutoffs).summary
    }

    /// Every user's metrics, for paired comparisons. Chunks of users are evaluated on the recommender's threads.
    /// The recommender's `aggregation`, when set, replaces the best-score merge of the interests.
    public static func evaluateEachUser(
        _ recommender: Recommender, dataset: Dataset, split: EvaluationSplit, cutoffs: [Int] = [10, 20, 50, 100]
    ) throws -> PerUserEvaluation {
        try evaluateRanked(recommender, dataset: dataset, split: split, cutoffs: cutoffs).users
    }

    /// `evaluateEachUser` keeping the ranked lists, for the beyond-accuracy metrics of the same retrieval.
    public static func evaluateRanked(
        _ recommender: Recommender, dataset: Dataset, split: EvaluationSplit, cutoffs: [Int] = [10, 20, 50, 100]
    ) throws -> RankedEvaluation {
        let evaluator = try Evaluator(cutoffs: cutoffs, threads: recommender.threads)
        return try evaluator.evaluateRanked(dataset.evaluationCases(split), index: recommender.index, aggregation: recommender.aggregation) { chunk in
            recommender.model.interestBatch(for: chunk, in: dataset)
        }
    }

    /// Evaluates a model as it stands (e.g. during training) with the exact index on `threads` threads.
    public static func evaluate(
        _ model: RecommenderModel, dataset: Dataset, split: EvaluationSplit, cutoffs: [Int] = [10, 20, 50, 100],
        threads: Int = Parallel.availableCores
    ) throws -> EvaluationResult {
        try evaluate(recommender(model, for: dataset, threads: threads), dataset: dataset, split: split, cutoffs: cutoffs)
    }

    /// A recommender over an in-memory model trained on `dataset`.
    public static func recommender(_ model: RecommenderModel, for dataset: Dataset, threads: Int = Parallel.availableCores) -> Recommender {
        let bundle = ModelBundle(config: model.config, schema: model.schema, itemIDs: dataset.items.ids, datasetPath: "",
                                 itemPopularity: dataset.itemTrainingCounts())
        return Recommender(model: model, bundle: bundle, threads: threads)
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

    /// `evaluateMostPopularEachUser` keeping the ranked lists (history excluded), for the beyond-accuracy metrics.
    public static func evaluateMostPopularRanked(
        dataset: Dataset, split: EvaluationSplit, cutoffs: [Int] = [10, 20, 50, 100]
    ) throws -> RankedEvaluation {
        let baseline = MostPopular(counts: dataset.itemTrainingCounts())
        return try Evaluator(cutoffs: cutoffs).evaluateRanked(dataset.evaluationCases(split)) { chunk, n in
            chunk.map { baseline.recommend(history: $0.history, n: n) }
        }
    }
}
