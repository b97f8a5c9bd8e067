import ArgumentParser
import Foundation
import MINDData
import MINDEval
import MINDModels
import MINDRetrieval
import MINDServing

/// `mind bench interests`: how distinct a model's interests are, how decisive its routing is,
/// and what the extra interests add to recall against the same model collapsed to one vector.
/// Also probes the item space alone: k-means centroids of a history's item vectors as
/// interests, against their mean. The numbers behind BENCHMARKS.md's routing study.
struct InterestsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interests",
        abstract: "Diversity of a model's interests and routing, and Recall@N with all interests against one (prints a JSON line).")

    @Option(help: "Model directory written by 'mind train'.") var model: String
    @Option(help: "Dataset directory written by 'mind prepare'.") var dataset: String
    @Option(help: "Which users: valid or test.") var split: EvaluationSplit = .valid
    @Option(help: "Cut-off N.") var at: Int = 50

    func validate() throws {
        guard (1...RecommendCommand.maximumCount).contains(at) else { throw ValidationError("--at must be between 1 and \(RecommendCommand.maximumCount)") }
    }

    func run() throws {
        do {
            let data = try DatasetStore.load(from: URL(fileURLWithPath: dataset))
            let recommender = try loadRecommender(model, toRunOn: data, at: dataset)
            let study = try InterestStudy.measure(recommender, dataset: data, split: split, cutoff: at)
            var report: [String: Any] = [
                "kind": "interests", "model": model, "split": split.rawValue, "users": study.users,
                "recall_all_interests": study.recallAllInterests, "recall_first_interest": study.recallFirstInterest,
                "recall_mean_of_interests": study.recallMeanOfInterests, "item_shared_direction": study.itemSharedDirection,
            ]
            // Left out where there is nothing to average: a one-vector model has no pairs, no routing.
            let summaries = [("interest_pairwise_cosine", study.interestPairwiseCosine), ("interest_norm", study.interestNorm),
                             ("capsule_pairwise_cosine", study.capsulePairwiseCosine), ("capsule_norm", study.capsuleNorm),
                             ("max_coupling_weight", study.maxCouplingWeight)]
            for (key, value) in summaries { report[key] = value }
            for (clusters, recall) in study.recallItemKMeans { report["recall_item_kmeans_\(clusters)"] = recall }
            printJSON(report)
        } catch {
            throw CommandError.report(error)
        }
    }
}
