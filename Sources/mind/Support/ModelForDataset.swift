import ArgumentParser
import Foundation
import MINDData
import MINDModels

/// Loads the model directory `path` to run on `data`, read from `datasetPath`. Its item vocabulary must be the
/// dataset's (item indices mean nothing otherwise); a model trained on another dataset directory gets a note,
/// since two splits of the same logs share the vocabulary and one split's test users train in the other.
func loadModel(_ path: String, toRunOn data: Dataset, at datasetPath: String) throws -> (RecommenderModel, ModelBundle) {
    let (recommender, bundle) = try ModelBundle.loadModel(from: URL(fileURLWithPath: path))
    guard bundle.itemIDs == data.items.ids else {
        throw ValidationError("\(path) was trained on a different item vocabulary than \(datasetPath)")
    }
    let evaluatedPath = URL(fileURLWithPath: datasetPath).standardizedFileURL.path
    if bundle.datasetPath != evaluatedPath {
        Terminal.note("note: \(path) was trained on \(bundle.datasetPath), not \(evaluatedPath); "
                      + "if these are two splits of the same logs, its test users may have been seen in training")
    }
    return (recommender, bundle)
}
