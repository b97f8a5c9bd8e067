import Foundation
import MINDData
import MINDModels
import MINDServing

/// Everything `mind report` shows about one trained model, measured on a dataset's evaluation users: its
/// config and training curve, its metrics beside other models and MostPopular, what its interests hold and
/// how distinct they are, and where on the scale of history diversity it wins or loses.
public struct ModelReport: Sendable {
    /// What to measure.
    public struct Options: Sendable {
        public var split: EvaluationSplit = .test
        /// Cut-offs of the evaluation table; the diversity buckets use the last one.
        public var cutoffs: [Int] = [20, 50]
        /// Users whose interests are drawn one by one (the paper's figure).
        public var sampleUsers = 3
        /// Items each interest retrieves in those drawings.
        public var itemsPerInterest = 20
        public var diversityBuckets = 4
        public var resamples = 1000
        /// Item feature read as categories (nil: a likely one, see `ItemLabels`).
        public var categoryFeature: String?

        public init() {}
    }

    /// A model (or MostPopular) and its metrics for every evaluated user.
    public struct Evaluated: Sendable {
        public var name: String
        public var users: PerUserEvaluation
        /// Coverage, concentration, popularity and diversity at each cutoff of the options.
        public var beyondAccuracy: [BeyondAccuracyMetrics]
    }

    /// One drawn user: the history, and the explanation of the model's interests for it.
    public struct SampleUser: Sendable {
        public var id: String
        public var history: [Int32]
        public var diversity: Double
        public var explanation: Explanation
    }

    public var modelName: String
    /// Every configuration key and its value, sorted by key.
    public var config: [(key: String, value: String)]
    public var manifest: DatasetManifest
    /// The per-epoch training log, when the model directory has one.
    public var training: TrainingLog.Metrics?
    public var options: Options
    /// The model first, then each model it is compared against, then MostPopular.
    public var evaluations: [Evaluated]
    /// The model against each other entry of `evaluations`, in order.
    public var comparisons: [PairedComparison]
    public var statistics: InterestStatistics
    public var samples: [SampleUser]
    public var diversity: DiversityBuckets
    /// The most recent behaviours the model reads; diversity is measured over them.
    public var historyWindow: Int
    public var labels: ItemLabels

    /// Measures `model` (named `name`, trained in `directory`) and the `against` models on `dataset`.
    public static func build(
        model: Recommender, name: String, directory: URL, against: [(name: String, recommender: Recommender)],
        dataset: Dataset, options: Options = Options()
    ) throws -> ModelReport {
        let labels = try ItemLabels(dataset: dataset, categoryFeature: options.categoryFeature)
        let facts = CatalogueFacts(dataset: dataset, labels: labels)
        let (split, cutoffs) = (options.split, options.cutoffs)
        var evaluations: [Evaluated] = []
        for (entryName, recommender) in [(name, model)] + against.map({ ($0.name, $0.recommender) }) {
            let ranked = try ModelEvaluation.evaluateRanked(recommender, dataset: dataset, split: split, cutoffs: cutoffs)
            evaluations.append(Evaluated(name: entryName, users: ranked.users, beyondAccuracy: ranked.beyondAccuracy(facts: facts)))
        }
        let popular = try ModelEvaluation.evaluateMostPopularRanked(dataset: dataset, split: split, cutoffs: cutoffs)
        evaluations.append(Evaluated(name: "most-popular", users: popular.users, beyondAccuracy: popular.beyondAccuracy(facts: facts)))
        let comparisons = try evaluations.dropFirst().map {
            try PairedComparison(model: evaluations[0].users, modelName: name, against: $0.users, againstName: $0.name,
                                 resamples: options.resamples)
        }

        let cases = dataset.evaluationCases(options.split)
        // Diversity of the part of the history the model reads: routing never sees older behaviours.
        let window = model.model.config.maxHistoryLength
        let (measure, values) = DiversityBuckets.diversity(of: cases.map { Array($0.history.suffix(window)) }, labels: labels, items: model.items)
        let diversityByUser = Dictionary(zip(cases.map(\.user), values), uniquingKeysWith: { first, _ in first })
        // Buckets compare the model with the other models, not with MostPopular (the table above does that).
        let bucketed = evaluations.count > 2 ? Array(evaluations.dropLast()) : evaluations
        let diversity = try DiversityBuckets(
            measure: measure, diversity: diversityByUser, evaluations: bucketed.map { ($0.name, $0.users) },
            cutoff: options.cutoffs.last ?? 50, bucketCount: options.diversityBuckets, resamples: options.resamples)

        return ModelReport(
            modelName: name, config: configTable(model.bundle.config), manifest: dataset.manifest,
            training: try TrainingLog.readMetrics(from: directory), options: options, evaluations: evaluations,
            comparisons: comparisons, statistics: InterestStatistics.measure(model, dataset: dataset, split: options.split),
            samples: sampleUsers(model, dataset: dataset, cases: cases, diversity: values, options: options),
            diversity: diversity, historyWindow: window, labels: labels)
    }

    /// The config's keys that apply to its model, with their values as a flag takes them, sorted by key.
    static func configTable(_ config: ModelConfig) -> [(key: String, value: String)] {
        ModelConfig.settings.filter { $0.models?.contains(config.model) ?? true }
            .map { ($0.key, $0.text(of: config)) }.sorted { $0.key < $1.key }
    }

    /// The least, the median and the most diverse users among those long enough to use every interest
    /// (or all users when none is), so the drawings show how interests follow a history's spread.
    static func sampleUsers(
        _ model: Recommender, dataset: Dataset, cases: [EvaluationCase], diversity: [Double], options: Options
    ) -> [SampleUser] {
        guard options.sampleUsers > 0, !cases.isEmpty else { return [] }
        let full = model.model.config.maxHistoryLength
        var candidates = cases.indices.filter { cases[$0].history.count >= full }
        if candidates.isEmpty { candidates = Array(cases.indices) }
        candidates.sort { (diversity[$0], $0) < (diversity[$1], $1) }
        let count = min(options.sampleUsers, candidates.count)
        let picks = count == 1 ? [candidates[candidates.count / 2]]
            : (0..<count).map { candidates[$0 * (candidates.count - 1) / (count - 1)] }
        return picks.map { position in
            let chosen = cases[position]
            let profile = model.model.usesProfile ? dataset.profile(ofUser: Int(chosen.user)) : []
            return SampleUser(
                id: dataset.users.ids[Int(chosen.user)], history: chosen.history, diversity: diversity[position],
                explanation: model.explain(history: chosen.history, profile: profile, count: options.itemsPerInterest,
                                           perInterest: options.itemsPerInterest))
        }
    }
}
