import ArgumentParser
import Foundation
import MINDCore
import MINDData
import MINDEval
import MINDJSON
import MINDModels
import MINDNN
import MINDRetrieval
import MINDServing

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
    @Option(help: "Which users: valid or test.") var split: EvaluationSplit = .test
    @Option(help: "Threads (default: all cores); the metrics are the same for any value.") var threads: Int = Parallel.availableCores
    @OptionGroup var retrieval: IndexOptions
    @Option(help: "Cut-offs N, comma-separated.") var at: String = "10,20,50,100"
    @Option(help: "Also write the metrics as JSON to this file.") var json: String?
    @Option(help: ArgumentHelp(
        "Compare with another model directory, or 'most-popular', on the same users.",
        discussion: "Prints each metric's difference with a 95% paired-bootstrap interval over users.",
        valueName: "DIR|most-popular")) var against: String?
    @Option(help: ArgumentHelp(
        "Compare with another system's per-user Recall@N on the same users: a JSON object {user id: recall}.",
        discussion: "N is the largest --at cut-off; the reference scripts in benchmarks/reference write such files with --per-user-out. Every evaluated user must be in the file, and only they.",
        valueName: "FILE")) var againstPerUser: String?
    @Option(help: "Bootstrap resamples for --against and --against-per-user.") var resamples: Int = 2000
    @Option(help: "Item feature whose values are the categories of the diversity metrics (default: one named like 'genre' or 'category').")
    var categoryFeature: String?
    @Option(help: ArgumentHelp(
        "ComiRec's controllable aggregation for --model: trade score for category diversity with this factor (0: off).",
        discussion: "Each interest's top N are pooled and the list is chosen greedily by score + factor * category distance to the items already chosen. Needs a category feature.")) 
    var diversityFactor: Float = 0

    /// The `--at` cut-offs (checked in `validate`).
    var cutoffs: [Int] { (try? parseCutoffs(at, example: "10,20,50,100")) ?? [] }

    func validate() throws {
        guard (model != nil) != mostPopular else { throw ValidationError("give either --model DIR or --most-popular") }
        try checkResamples(resamples)
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        try checkDiversityFactor(diversityFactor)
        if against != nil && againstPerUser != nil { throw ValidationError("give --against or --against-per-user, not both") }
        if let against, against != "most-popular", !ModelBundle.holdsModel(URL(fileURLWithPath: against)) {
            throw ValidationError("--against \(against) is neither a model directory (it has no config.json) nor 'most-popular'")
        }
        _ = try parseCutoffs(at, example: "10,20,50,100")
        // Refused now rather than after a long evaluation.
        if let json {
            try checkOutputPath(json, option: "--json", inputs: [
                ("--model", model), ("--dataset", dataset), ("--against", against == "most-popular" ? nil : against),
                ("--against-per-user", againstPerUser),
            ])
        }
    }

    func run() throws {
        do {
            let data = try DatasetStore.load(from: URL(fileURLWithPath: dataset))
            try checkHasEvaluationUsers(data, split: split, datasetPath: dataset)
            let labels = try ItemLabels(dataset: data, categoryFeature: categoryFeature)
            let facts = CatalogueFacts(dataset: data, labels: labels)
            let aggregation = try diversityAggregation(factor: diversityFactor, facts: facts)
            var evaluated = try evaluateEachUser(model ?? Self.mostPopularName, on: data, split: split, facts: facts, aggregation: aggregation)
            let result = evaluated.result
            print("\(evaluated.name) on \(split.rawValue) users (\(result.userCount) users, \(data.itemCount) items)")
            print(result.table())
            print("beyond accuracy: tail = outside the most popular 20% of items; list diversity and category coverage by "
                  + (labels.category.map { "'\($0.name)'" } ?? "(no category feature)") + "; other-interest hits: share of hits not from the list's main interest")
            print(result.beyondAccuracyTable())
            if let againstPerUser {
                let comparison = try Self.compareRecall(evaluated.users, name: evaluated.name, userIDs: data.users.ids,
                                                        with: againstPerUser, resamples: resamples)
                print("\(evaluated.name) - \(comparison.againstName), Recall@\(comparison.rows[0].cutoff) per user, with a \(Int(comparison.confidence * 100))% paired-bootstrap interval over users (\(resamples) resamples)")
                print(comparison.table())
                if let json { try writeJSON(PerUserComparison(model: result, comparison: comparison), to: json) }
                return
            }
            guard let against else {
                if let json { try writeJSON(result, to: json) }
                return
            }
            var other = try evaluateEachUser(against, on: data, split: split, facts: facts)
            if other.name == evaluated.name {
                // Two models of one kind: their directory names tell them apart.
                evaluated.name = URL(fileURLWithPath: model ?? Self.mostPopularName).lastPathComponent
                other.name = URL(fileURLWithPath: against).lastPathComponent
            }
            let comparison = try PairedComparison(
                model: evaluated.users, modelName: evaluated.name, against: other.users, againstName: other.name,
                resamples: resamples)
            print("\(other.name) on the same users")
            print(other.result.table())
            print(other.result.beyondAccuracyTable())
            print("\(evaluated.name) - \(other.name), with a \(Int(comparison.confidence * 100))% paired-bootstrap interval over users (\(resamples) resamples); users +/-: users on which each model scored higher")
            print(comparison.table())
            if let json {
                try writeJSON(Comparison(model: result, against: other.result, comparison: comparison), to: json)
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError.report(error)
        }
    }

    private static let mostPopularName = "most-popular"

    /// What `--json` holds when `--against-per-user` is given.
    private struct PerUserComparison: Encodable {
        var model: EvaluationResult
        var comparison: PairedComparison
    }

    /// Our per-user Recall@N (N the largest cut-off) paired with the values in `path`, a JSON object {user id: recall}
    /// that must hold exactly the evaluated users. Named after the file.
    static func compareRecall(
        _ users: PerUserEvaluation, name: String, userIDs: [String], with path: String, resamples: Int
    ) throws -> PairedComparison {
        let json: Data
        do { json = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CommandInputError("\(path): cannot read it: \(error.localizedDescription)")
        }
        let values = try JSONProblem.decode([String: Double].self, from: json) {
            CommandInputError("\(path): expected a JSON object {user id: recall}: \($0)")
        }
        let cutoffIndex = users.cutoffs.indices.max { users.cutoffs[$0] < users.cutoffs[$1] } ?? 0
        var ours: [Double] = [], theirs: [Double] = []
        for (row, user) in users.users.enumerated() {
            let id = userIDs[Int(user)]
            guard let value = values[id] else {
                throw CommandInputError("\(path): no value for user \(id) (the file must cover every evaluated user: \(users.users.count))")
            }
            guard (0...1).contains(value) else { throw CommandInputError("\(path): user \(id): expected a recall between 0 and 1, got \(value)") }
            ours.append(users.metrics[row][cutoffIndex].recall)
            theirs.append(value)
        }
        if values.count != users.users.count {
            let evaluated = Set(users.users.map { userIDs[Int($0)] })
            let extra = values.keys.filter { !evaluated.contains($0) }.sorted().prefix(3)
            throw CommandInputError("\(path): \(values.count - users.users.count) user(s) that were not evaluated, such as \(extra.joined(separator: ", ")); was it made on another split?")
        }
        // "sasrec.per-user.json" (as the reference scripts name them) -> "sasrec".
        let file = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let label = file.hasSuffix(".per-user") ? String(file.dropLast(".per-user".count)) : file
        return try PairedComparison(model: ours, against: theirs, cutoff: users.cutoffs[cutoffIndex], metric: .recall,
                                    modelName: name, againstName: label, resamples: resamples)
    }

    /// What `--json` holds when `--against` is given.
    private struct Comparison: Encodable {
        var model: EvaluationResult
        var against: EvaluationResult
        var comparison: PairedComparison
    }

    /// Evaluates a model directory, or MostPopular when `source` is "most-popular"; the name labels it in tables.
    /// `result` holds the averages and the beyond-accuracy metrics.
    private func evaluateEachUser(
        _ source: String, on data: Dataset, split: EvaluationSplit, facts: CatalogueFacts, aggregation: DiverseAggregation? = nil
    ) throws -> (name: String, users: PerUserEvaluation, result: EvaluationResult) {
        let name: String, ranked: RankedEvaluation
        if source == Self.mostPopularName {
            (name, ranked) = (source, try ModelEvaluation.evaluateMostPopularRanked(dataset: data, split: split, cutoffs: cutoffs))
        } else {
            let recommender = try loadRecommender(source, toRunOn: data, at: dataset, index: retrieval, threads: threads)
                .aggregating(by: aggregation)
            (name, ranked) = (recommender.bundle.config.model.rawValue,
                              try ModelEvaluation.evaluateRanked(recommender, dataset: data, split: split, cutoffs: cutoffs))
        }
        var result = ranked.users.summary
        result.beyondAccuracy = ranked.beyondAccuracy(facts: facts)
        return (name, ranked.users, result)
    }

    /// Writes `value` as JSON through a temporary file renamed into place; an error names `path`, the file the
    /// user asked for (never the temporary name), and leaves neither file behind.
    static func writeJSON(_ value: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = URL(fileURLWithPath: path)
        let data = try encoder.encode(value)
        do {
            try AtomicFile.write(data, to: url)  // removes its temporary file on failure
        } catch {
            throw OutputFileError(path: path, reason: OutputFileError.reason(of: error))
        }
    }

    private func writeJSON(_ value: some Encodable, to path: String) throws {
        try Self.writeJSON(value, to: path)
    }
}

/// An output file (`--json`) that could not be written, named as the user gave it.
struct OutputFileError: Error, CustomStringConvertible, Equatable {
    var path: String
    var reason: String

    var description: String { "\(path): cannot write: \(reason)" }

    /// The system's reason without the temporary file's name: the POSIX error underneath, else the end of the message.
    static func reason(of error: Error) -> String {
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
        let message = error.localizedDescription
        if let range = message.range(of: "into place: ") { return String(message[range.upperBound...]) }
        return "the file system refused the write"
    }
}
