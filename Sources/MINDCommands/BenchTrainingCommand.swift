import ArgumentParser
import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDModels

/// Training throughput on generated histories with MovieLens-1M's shapes.
struct TrainingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training",
        abstract: "Samples per second of training any model (d=64, history 20, K=4, batch 128 by default).")

    @Option(help: "Model to time: \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")).") var model: String = "mind"
    @Option(help: "Threads running the data-parallel shards (default: all cores).") var threads: Int = Parallel.availableCores
    @Option(help: "Data-parallel shards per batch (fixed, so the weights do not depend on --threads).") var shards: Int = 2
    @Option(help: "Negatives per sample (or per batch with --shared-negatives).") var negatives: Int = 3
    @Option(help: "Share the negatives across the batch (true) or draw them per sample (false).") var sharedNegatives: Bool = false
    @Option(help: "Negative sampler: uniform, log-uniform, in-batch, full.") var sampler: String = "log-uniform"
    @Option(help: "Batch size.") var batchSize: Int = 128
    @Option(help: "Items in the catalogue.") var items: Int = 3706
    @Option(help: "Timed optimiser steps (after 20 warm-up steps).") var steps: Int = 300
    @Option(help: "MLP hidden sizes after routing; empty (the default) is one d x d projection, as torch-rechub's MIND.") var mlpHidden: String = ""
    @Option(help: "Dataset directory written by 'mind prepare': time steps on its training samples (and item features) instead of generated histories.")
    var dataset: String?
    @Option(name: .customLong("set"), help: "Any other model setting as KEY=VALUE, as in a config file (repeatable): --set gru-hidden-size=128.")
    var settings: [String] = []

    func run() throws {
        var config = ModelConfig()
        try config.set("model", to: model)
        try config.set("sampler", to: sampler)
        config.threads = threads
        config.shards = shards
        config.negatives = negatives
        config.sharedNegatives = sharedNegatives
        config.batchSize = batchSize
        config.epochs = 1
        try config.set("mlp-hidden", to: mlpHidden)
        // The parser of `mind train`'s setting flags, with the same errors for unknown keys and missing values.
        for (key, value) in try ModelConfig.settingFlags(settings.map { "--" + $0 }) { try config.set(key, to: value) }
        try config.validate()
        let (data, schema) = try trainingInput()
        let recommender = RecommenderModel(config: config, schema: schema)
        let trainer = Trainer(model: recommender, data: data, directory: nil)
        var completed = 0
        var start: UInt64 = 0
        // Targets trained before the timed steps: a step of all-positions training (SASRec, GRU4Rec) holds
        // batch-size / max-history-length windows, whose targets need not add up to batch-size.
        var targetsBefore = 0
        trainer.shouldStop = {
            completed += 1
            if completed == 20 { (start, targetsBefore) = (DispatchTime.now().uptimeNanoseconds, trainer.state.lossCount) }
            return completed == 20 + steps
        }
        try trainer.train()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let targets = trainer.state.lossCount - targetsBefore
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        printJSON(["kind": "training", "model": model, "threads": threads, "shards": shards, "negatives": negatives, "shared_negatives": sharedNegatives,
                   "sampler": sampler, "mlp_hidden": mlpHidden, "settings": settings.joined(separator: ","), "batch_size": batchSize, "items": schema.itemCount, "dataset": dataset ?? "generated", "steps": steps,
                   "samples_per_second": Double(targets) / seconds, "peak_rss_mib": Double(usage.ru_maxrss) / 1024])
    }

    /// The prepared dataset's training data, or sequences of 60 generated items with a skewed popularity, enough
    /// for the timed steps.
    func trainingInput() throws -> (TrainingData, DataSchema) {
        if let dataset {
            let prepared = try DatasetStore.load(from: URL(fileURLWithPath: dataset))
            return (TrainingData(dataset: prepared), DataSchema(dataset: prepared))
        }
        var generator = SeededGenerator(seed: 1)
        let users = max(200, (steps + 20) * batchSize / 59 + 1)
        let sequences: [[Int32]] = (0..<users).map { _ in
            (0..<60).map { _ in
                let u = generator.nextUniformDouble()
                return Int32(Double(items) * u * u)
            }
        }
        let data = TrainingData(sequences: sequences, users: (0..<Int32(users)).map { $0 }, profiles: [], profileFeatureCount: 0, itemCount: items)
        return (data, DataSchema(itemCount: items, itemFeatures: [], userFeatures: []))
    }
}
