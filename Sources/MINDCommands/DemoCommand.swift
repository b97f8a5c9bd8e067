import ArgumentParser
import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDEval
import MINDModels
import MINDRetrieval
import MINDServing

/// `mind demo`: MovieLens-1M from download to a comparison table and one user's interests.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fetch MovieLens-1M, prepare it, train MIND and YouTubeDNN, compare them with MostPopular, show a user's interests.",
        discussion: "Everything is cached under --cache ($MIND_CACHE or ~/.cache/mind); a second run re-trains but does not re-download.")

    @Option(help: "Cache directory for the data, the dataset and the models (default $MIND_CACHE or ~/.cache/mind).") var cache: String?
    @Option(help: "Training epochs per model (validation picks the best epoch).") var epochs: Int = 4
    @Option(help: "Seed for the split and the models.") var seed: UInt64 = 42
    @Option(help: "Where to write the HTML report (default: demo/report.html in the cache).") var report: String?

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be positive") }
        if let report { try checkOutputPath(report, option: "--report") }
    }

    func run() throws {
        do { try demo() } catch let error as ExitCode { throw error } catch { throw CommandError.report(error) }
    }

    func demo() throws {
        let cacheURL = cache.map { URL(fileURLWithPath: $0) } ?? MovieLensFetcher.defaultCache()
        Terminal.note("== MovieLens-1M")
        let files = try MovieLensFetcher.ensure(.ml1m, cache: cacheURL, log: { Terminal.note($0) })
        let datasetURL = cacheURL.appendingPathComponent("datasets/ml-1m-users-seed\(seed)")
        let options = PrepareOptions(split: .users, seed: seed)
        if (try? DatasetStore.load(from: datasetURL)) == nil {
            Terminal.note("== prepare (5-core, users split 8:1:1, 80% history)")
            let (prepared, report) = try DatasetPreparation.run(
                .init(interactions: files.interactions, items: files.items, users: files.users), options: options,
                createdBy: "mind \(MindVersion.string)")
            try prepared.write(to: datasetURL, report: report)
        }
        let data = try DatasetStore.load(from: datasetURL)
        Terminal.note("dataset: \(data.userCount) users, \(data.itemCount) items, \(data.interactionCount) interactions -> \(datasetURL.path)")

        var results: [(String, EvaluationResult, Double)] = []
        var trainedMIND: Recommender?
        let interruption = Interruption()
        defer { interruption.cancel() }
        for kind in [ModelKind.mind, .youtubednn] {
            var settings = ModelConfig()
            settings.model = kind
            settings.epochs = epochs
            settings.seed = seed
            let modelURL = cacheURL.appendingPathComponent("demo/\(kind.rawValue)")
            try ModelBundle.prepareOutputDirectory(modelURL, replace: true, ownedByCaller: true)
            Terminal.note("== train \(kind.rawValue)")
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try TrainingDisplay.run(TrainingSession(data: data, datasetURL: datasetURL, settings: settings, outputURL: modelURL, resume: false),
                                        interruption: interruption)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let recommender = try Recommender(directory: modelURL)
            results.append((kind.rawValue, try ModelEvaluation.evaluate(recommender, dataset: data, split: .test), seconds))
            if kind == .mind { trainedMIND = recommender }
        }
        results.append(("most-popular", try ModelEvaluation.evaluateMostPopular(dataset: data, split: .test), 0))

        print("\nMovieLens-1M, users split (test users: \(results[0].1.userCount)), full-catalogue ranking, history excluded")
        print("model          Recall@20  Recall@50  HR@50    NDCG@50  Precision@50  train time")
        for (name, result, seconds) in results {
            let r20 = result[cutoff: 20]?.recall ?? 0
            guard let r50 = result[cutoff: 50] else { continue }
            let padded = name.padding(toLength: 13, withPad: " ", startingAt: 0)
            print(padded + String(format: "  %9.4f  %9.4f  %6.4f  %7.4f  %12.4f  ", r20, r50.recall, r50.hitRate, r50.ndcg, r50.precision)
                  + (seconds > 0 ? Terminal.duration(seconds) : "-"))
        }
        if let trainedMIND { try showInterests(trainedMIND, data: data) }

        Terminal.note("\n== report (MIND against YouTubeDNN and MostPopular)")
        let models = cacheURL.appendingPathComponent("demo")
        let reportPath = report ?? models.appendingPathComponent("report.html").path
        let summary = try ReportCommand.writeReport(
            model: models.appendingPathComponent(ModelKind.mind.rawValue).path,
            against: [models.appendingPathComponent(ModelKind.youtubednn.rawValue).path], dataset: datasetURL.path,
            output: reportPath, options: ModelReport.Options(),
            threads: Parallel.availableCores)
        for line in summary { print(line) }
        print("\nReport: \(reportPath) (open it in a browser: training curves, what each interest holds, and for which users MIND beats YouTubeDNN)")
    }

    /// One test user's interests, each with the movies it ranks highest and the recent movies it leans on.
    func showInterests(_ recommender: Recommender, data: Dataset) throws {
        let cases = data.evaluationCases(.test)
        guard let chosen = cases.first(where: { $0.history.count >= 16 }) ?? cases.first else { return }
        let profile = recommender.model.usesProfile ? data.profile(ofUser: Int(chosen.user)) : []
        let extracted = recommender.interests(history: chosen.history, profile: profile)
        let labels = try ItemLabels(dataset: data)
        let describe = labels.describe
        print("\nUser \(data.users.ids[Int(chosen.user)]): \(chosen.history.count) movies in the history; the last five:")
        for item in chosen.history.suffix(5) { print("    \(describe(item))") }
        // Which of the routed (most recent) behaviours each interest draws on most.
        let strongest = extracted.strongestInterestOfEachBehaviour ?? []
        let active = extracted.active.indices.filter { extracted.active[$0] }
        for interest in active {
            let holds = zip(extracted.behaviours, strongest).filter { $0.1 == interest }.map(\.0)
            let top = recommender.index.search(query: extracted.vectors[interest], n: 5, exclude: chosen.history)
            print("  interest \(interest + 1), leaning most on \(holds.count) of the last \(extracted.behaviours.count) movies\(holds.isEmpty ? "" : ", e.g. " + holds.suffix(2).map { describe($0) }.joined(separator: "; ")):")
            for entry in top { print("    \(describe(entry.item))") }
        }
        // Say plainly when routing found no distinct tastes (BENCHMARKS.md, routing study).
        var geometry = SetGeometry()
        let dimension = recommender.items.dimension
        geometry.add(extracted.vectors.flatMap { $0 }, count: 1, setSize: extracted.vectors.count, dimension: dimension) { extracted.active[$0] }
        if let mean = geometry.cosine.value {
            print(String(format: "  mean cosine between these interests: %.2f", mean)
                  + (mean > 0.9 ? " (nearly one taste: on MovieLens routing rarely separates a 20-movie history)" : ""))
            if mean > 0.9 {
                print("  On MovieLens-1M the remedies tried make a user's interests distinct only at a cost in recall, so the"
                      + " default keeps them alike; BENCHMARKS.md (\"Routing collapse\") has the evidence.")
            }
        }
    }
}
