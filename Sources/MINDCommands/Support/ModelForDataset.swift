import Foundation
import MINDCore
import MINDData
import MINDModels
import MINDServing

/// Loads the model directory `path` as a `Recommender` to run on `data`, read from `datasetPath`: the item
/// vocabularies must match (a typed error otherwise), and a model trained on another dataset directory gets
/// a note, since two splits of the same logs share the vocabulary and one split's test users train in the other.
func loadRecommender(
    _ path: String, toRunOn data: Dataset, at datasetPath: String, index: IndexOptions? = nil, threads: Int = Parallel.availableCores
) throws -> Recommender {
    // No options given (a library-style call): the exact index. An unparsed ParsableArguments cannot be read.
    let recommender = try index?.openRecommender(path, threads: threads) ?? Recommender(directory: URL(fileURLWithPath: path), threads: threads)
    if case .otherDirectory(let trainedOn) = try recommender.bundle.check(against: data, at: datasetPath, modelPath: path) {
        let evaluatedPath = URL(fileURLWithPath: datasetPath).standardizedFileURL.path
        Terminal.note("note: \(path) was trained on \(trainedOn), not \(evaluatedPath); "
                      + "if these are two splits of the same logs, its test users may have been seen in training")
    }
    return recommender
}

/// Refuses to evaluate a split without users (a dataset prepared with a share of 0 for it): every metric would be
/// a zero that means nothing.
func checkHasEvaluationUsers(_ data: Dataset, split: EvaluationSplit, datasetPath: String) throws {
    guard data.evaluationCases(split).isEmpty else { return }
    throw CommandInputError("\(datasetPath) has no \(split.rawValue) users, so there is nothing to evaluate on them; "
                            + "prepare it with a \(split.rawValue) share above 0 (--split-ratios)")
}
