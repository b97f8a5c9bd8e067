import ArgumentParser
import Foundation
import MINDData
import MINDEval
import MINDModels
import MINDNN

/// `mind evaluate`: Recall / HR / NDCG / Precision @N over the full catalogue.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained model (or the MostPopular baseline) over the whole catalogue.",
        discussion: """
            Each valid/test user's history is given to the model, the history's items are excluded, and the top N of the catalogue by max over interests of e_i . u_k are compared with the held-out truth.
            """)

    @Option(help: "Model directory written by 'mind train'.") var model: String?
    @Flag(help: "Evaluate the MostPopular baseline (training popularity) instead of a model.") var mostPopular = false
    @Option(help: "Dataset directory written by 'mind prepare'.") var dataset: String
    @Option(help: "Which users: valid or test.") var split: String = "test"
    @Option(help: "Cut-offs N, comma-separated.") var at: String = "10,20,50,100"
    @Option(help: "Also write the metrics as JSON to this file.") var json: String?

    var cutoffs: [Int] { at.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard (model != nil) != mostPopular else { throw ValidationError("give either --model DIR or --most-popular") }
        guard EvaluationSplit(rawValue: split) != nil else { throw ValidationError("--split must be valid or test") }
        let parts = at.split(separator: ",")
        guard !parts.isEmpty, cutoffs.count == parts.count, cutoffs.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--at takes positive cut-offs separated by commas, e.g. 10,20,50,100")
        }
    }

    func run() throws {
        do {
            let data = try DatasetStore.load(from: URL(fileURLWithPath: dataset))
            let which = EvaluationSplit(rawValue: split)!
            let result: EvaluationResult
            let name: String
            if let model {
                let (recommender, bundle) = try ModelBundle.loadModel(from: URL(fileURLWithPath: model))
                guard bundle.itemIDs == data.items.ids else {
                    throw ValidationError("\(model) was trained on a different item vocabulary than \(dataset)")
                }
                result = try ModelEvaluation.evaluate(recommender, dataset: data, split: which, cutoffs: cutoffs)
                name = bundle.config.model.rawValue
            } else {
                result = try ModelEvaluation.evaluateMostPopular(dataset: data, split: which, cutoffs: cutoffs)
                name = "most-popular"
            }
            print("\(name) on \(split) users (\(result.userCount) users, \(data.itemCount) items)")
            print(result.table())
            if let json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try AtomicFile.write(encoder.encode(result), to: URL(fileURLWithPath: json))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError.report(error)
        }
    }
}
