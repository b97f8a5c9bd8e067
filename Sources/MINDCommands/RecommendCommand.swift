import ArgumentParser
import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDEval
import MINDModels
import MINDNN
import MINDRetrieval
import MINDPostgres
import MINDServing

/// `mind recommend`: top-N items from histories, for one user or a JSONL batch.
struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Recommend the top N items for a stored user, a given history, or a JSONL file of histories.",
        discussion: """
            Batch mode reads lines {"user": ID, "items": [ID, ...], "profile": {"feature": "value"}} (ids as strings or integers, items oldest first, profile optional) and writes {"user", "items", "scores", "interests"} per line, best first, the history's items excluded. Unknown item ids are skipped and counted in one warning. A malformed line stops the run with its line number, and no output file is left behind.
            """)

    @Option(help: "Model directory written by 'mind train'.") var model: String
    @Option(help: "A user of --dataset whose stored history to use.") var user: String?
    @Option(help: "Dataset directory (for --user, and for titles).") var dataset: String?
    @Option(help: "A history as comma-separated item ids, oldest first, or a JSON array of ids (for ids with commas).") var history: String?
    @Option(help: "JSONL file of histories (batch mode).") var histories: String?
    @Option(help: "Output JSONL file (batch mode).") var output: String?
    @Option(help: "How many items to recommend.") var top: Int = 10
    @Option(help: "Threads for batch mode (default: all cores); the output is the same for any value.") var threads: Int = Parallel.availableCores

    @OptionGroup var retrieval: IndexOptions
    @Option(help: "ComiRec's controllable aggregation: trade score for category diversity with this factor (0: off; needs --dataset for the categories).")
    var diversityFactor: Float = 0

    /// The most items one answer may hold: far beyond any real use, small enough to bound memory.
    static let maximumCount = 100_000

    func validate() throws {
        let modes = [user != nil, history != nil, histories != nil].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give exactly one of --user, --history, --histories") }
        if user != nil && dataset == nil { throw ValidationError("--user needs --dataset to find the user's history") }
        if let history { _ = try parseHistory(history) }
        try checkDiversityFactor(diversityFactor)
        if diversityFactor > 0 && dataset == nil { throw ValidationError("--diversity-factor needs --dataset for the item categories") }
        if histories != nil && output == nil { throw ValidationError("--histories needs --output") }
        if histories == nil && output != nil {
            throw ValidationError("--output is for batch mode (--histories); one list is printed on standard output")
        }
        guard (1...Self.maximumCount).contains(top) else { throw ValidationError("--top must be between 1 and \(Self.maximumCount)") }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        if let output {
            try checkOutputPath(output, option: "--output", inputs: [("--histories", histories), ("--model", model), ("--dataset", dataset)])
        }
    }

    func run() throws {
        do {
            let opened = try retrieval.openRecommender(model, threads: threads)
            // Batch mode reads the dataset only for the aggregation's categories.
            let needsData = histories == nil || diversityFactor > 0
            let data = try dataset.flatMap { needsData ? try DatasetStore.load(from: URL(fileURLWithPath: $0)) : nil }
            if let data, let dataset { _ = try opened.bundle.check(against: data, at: dataset, modelPath: model) }
            let aggregation = try data.flatMap { data in
                try diversityAggregation(factor: diversityFactor, facts: CatalogueFacts(dataset: data, labels: try ItemLabels(dataset: data)))
            }
            let engine = opened.aggregating(by: aggregation)
            if let histories, let output {
                let summary = try BatchRecommendation.recommendFile(
                    engine, input: URL(fileURLWithPath: histories), output: URL(fileURLWithPath: output), top: top)
                try retrieval.checkIndex(of: engine, output: output)
                if summary.unknownItems > 0 { Terminal.note("warning: \(summary.unknownItems) unknown item id(s) in the histories were skipped") }
                if summary.unknownProfileEntries > 0 {
                    let reads = engine.model.usesProfile ? engine.model.schema.userFeatures.map(\.name).joined(separator: ", ") : "no profile"
                    Terminal.note("warning: \(summary.unknownProfileEntries) profile entr\(summary.unknownProfileEntries == 1 ? "y" : "ies") "
                                  + "named a field the model does not read or a value it does not know (read as unknown); it reads \(reads)")
                }
                Terminal.note(String(format: "recommended for %d users in %.2f s (%.0f users/s) -> %@", summary.users, summary.seconds,
                                     Double(summary.users) / max(summary.seconds, 1e-9), output))
            } else {
                try recommendOne(engine, data: data)
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError.report(error)
        }
    }

    /// One recommendation for --user (from `data`, --dataset already checked against the model) or --history.
    func recommendOne(_ engine: Recommender, data: Dataset?) throws {
        var request: RecommendationRequest
        if let user, let data {
            guard let index = data.users.index(of: user) else { throw CommandInputError("user '\(user)' is not in \(dataset ?? "")") }
            let items = data.sequence(ofUser: Int(index)).map { data.items.ids[Int($0)] }
            var profile: [String: String] = [:]
            for (feature, value) in zip(data.userFeatures, data.profile(ofUser: Int(index))) where value != 0 {
                profile[feature.name] = feature.vocabulary[Int(value)]
            }
            request = RecommendationRequest(user: user, history: items, profile: profile)
        } else {
            let items = try parseHistory(history ?? "")
            request = RecommendationRequest(history: items)
        }
        let result = engine.recommend([request], count: top)[0]
        try retrieval.checkIndex(of: engine)
        if result.unknownItems > 0 { Terminal.note("warning: \(result.unknownItems) unknown item id(s) in the history were skipped") }
        let titles = data?.itemTitles
        print("rank    score  interest  item")
        for (rank, entry) in result.items.enumerated() {
            var title = ""
            if let titles, let data, let index = data.items.index(of: entry) { title = titles[Int(index)] }
            // Ids are printed whole (on MovieLens from RecBole they are the titles); a title only when it adds something.
            let id = entry.count >= 10 ? entry : entry.padding(toLength: 10, withPad: " ", startingAt: 0)
            print(String(format: "%4d  %7.4f  %8d  ", rank + 1, result.scores[rank], result.interests[rank]) + id
                  + (title.isEmpty || title == entry ? "" : "  (\(title))"))
        }
    }
}

