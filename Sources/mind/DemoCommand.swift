import ArgumentParser
import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDEval
import MINDModels
import MINDRetrieval

/// `mind demo`: MovieLens-1M from download to a comparison table and one user's interests.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fetch MovieLens-1M, prepare it, train MIND and YouTubeDNN, compare them with MostPopular, show a user's interests.",
        discussion: "Everything is cached under --cache ($MIND_CACHE or ~/.cache/mind); a second run re-trains but does not re-download.")

    @Option(help: "Cache directory for the data, the dataset and the models (default $MIND_CACHE or ~/.cache/mind).") var cache: String?
    @Option(help: "Training epochs per model (validation picks the best epoch).") var epochs: Int = 4
    @Option(help: "Seed for the split and the models.") var seed: UInt64 = 42

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be positive") }
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
        var trainedMIND: RecommenderModel?
        for kind in [ModelKind.mind, .youtubednn] {
            var settings = ModelConfig()
            settings.model = kind
            settings.epochs = epochs
            settings.seed = seed
            let modelURL = cacheURL.appendingPathComponent("demo/\(kind.rawValue)")
            try TrainingSession.prepareOutputDirectory(modelURL, force: true)
            Terminal.note("== train \(kind.rawValue)")
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try TrainingSession.run(data: data, datasetURL: datasetURL, settings: settings, outputURL: modelURL, resume: false)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let (model, _) = try ModelBundle.loadModel(from: modelURL)
            results.append((kind.rawValue, try ModelEvaluation.evaluate(model, dataset: data, split: .test), seconds))
            if kind == .mind { trainedMIND = model }
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
        if let trainedMIND { showInterests(trainedMIND, data: data) }
    }

    /// One test user's interests, each with the movies it ranks highest.
    func showInterests(_ model: RecommenderModel, data: Dataset) {
        let cases = data.evaluationCases(.test)
        guard let chosen = cases.first(where: { $0.history.count >= 16 }) ?? cases.first else { return }
        let profile = model.usesProfile ? data.profile(ofUser: Int(chosen.user)) : []
        let batch = model.interestBatch(histories: [ArraySlice(chosen.history)], profiles: profile)
        let index = ExactIndex(items: model.itemMatrix())
        let genres = data.itemFeatures.first { $0.name.lowercased().contains("genre") }
        func describe(_ item: Int32) -> String {
            let title = data.itemTitles?[Int(item)] ?? data.items.ids[Int(item)]
            let genreText = genres.map { feature in feature.values(of: Int(item)).map { feature.vocabulary[Int($0)] }.joined(separator: "|") } ?? ""
            return "\(title)  [\(genreText)]"
        }
        print("\nUser \(data.users.ids[Int(chosen.user)]): \(chosen.history.count) movies in the history; the last five:")
        for item in chosen.history.suffix(5) { print("    \(describe(item))") }
        // Which of the routed (most recent) behaviours each interest draws on most.
        let routed = Array(chosen.history.suffix(model.config.maxHistoryLength))
        var holds = [[Int32]](repeating: [], count: batch.interestCount)
        if let routing = model.routing(histories: [ArraySlice(chosen.history)], profiles: []) {
            let k = routing.weights.shape[1], l = routing.weights.shape[2]
            for (position, item) in routed.enumerated() {
                let strongest = (0..<k).max { routing.weights.storage[$0 * l + position] < routing.weights.storage[$1 * l + position] }!
                holds[strongest].append(item)
            }
        }
        let active = (0..<batch.interestCount).filter { batch.isActive(user: 0, interest: $0) }
        func vector(_ interest: Int) -> [Float] { Array(batch.vectors[(interest * batch.dimension)..<((interest + 1) * batch.dimension)]) }
        for interest in active {
            let top = index.search(query: vector(interest), n: 5, exclude: chosen.history)
            print("  interest \(interest + 1), leaning most on \(holds[interest].count) of the last \(routed.count) movies\(holds[interest].isEmpty ? "" : ", e.g. " + holds[interest].suffix(2).map { describe($0) }.joined(separator: "; ")):")
            for entry in top { print("    \(describe(entry.item))") }
        }
        // Say plainly when routing found no distinct tastes (BENCHMARKS.md, routing study).
        var geometry = SetGeometry()
        geometry.add(batch.vectors, count: 1, setSize: batch.interestCount, dimension: batch.dimension) { batch.mask[$0] }
        if let mean = geometry.cosine.value {
            print(String(format: "  mean cosine between these interests: %.2f", mean)
                  + (mean > 0.9 ? " (nearly one taste: on MovieLens routing rarely separates a 20-movie history; see BENCHMARKS.md)" : ""))
        }
    }
}
