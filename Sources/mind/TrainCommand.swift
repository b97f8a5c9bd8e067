import ArgumentParser
import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDEval
import MINDModels
import MINDNN

/// `mind train`: dataset directory -> model directory, with checkpoints, resume and a progress bar.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train MIND, YouTubeDNN or ComiRec-DR on a prepared dataset.",
        discussion: """
            Settings come from the defaults, then --config (YAML or JSON with the keys below), then --key value (or --key=value) flags. A checkpoint is written after each epoch and when you press Ctrl-C; --resume continues from it and ends at the same weights as an unbroken run. The best weights by validation Recall@50 are kept.

            """ + ConfigOverrides.help)

    @Option(help: "Dataset directory written by 'mind prepare'.") var dataset: String
    @Option(help: "Model: mind, youtubednn or comirec-dr (overrides the config file).") var model: String?
    @Option(help: "YAML or JSON config file; every key can also be given as a flag.") var config: String?
    @Option(help: "Model directory to write.") var output: String
    @Flag(help: "Continue the run saved in --output from its last checkpoint.") var resume = false
    @Flag(help: "Replace an existing model directory at --output.") var force = false
    @Argument(parsing: .allUnrecognized, help: "Settings as --key value or --key=value; the keys are listed above.")
    var settings: [String] = []

    func validate() throws {
        let overrides = try ConfigOverrides(settings)
        // Each flag's value is checked now, before the dataset is read; combinations are checked with the config file.
        var probe = ModelConfig()
        do { try overrides.apply(to: &probe) } catch let error as ConfigError { throw ValidationError(error.description) }
        if resume && (config != nil || model != nil || !overrides.given.isEmpty) {
            throw ValidationError("--resume continues with the settings saved in \(output)/config.json; drop the other settings")
        }
        if resume && force { throw ValidationError("--resume and --force contradict each other") }
    }

    func resolvedConfig() throws -> ModelConfig {
        var resolved = ModelConfig()
        if let config { resolved = try ModelConfig.load(from: URL(fileURLWithPath: config)) }
        if let model { try resolved.set("model", to: model) }
        try ConfigOverrides(settings).apply(to: &resolved)
        try resolved.validate()
        return resolved
    }

    func run() throws {
        do { try train() } catch let error as ExitCode { throw error } catch { throw CommandError.report(error) }
    }

    func train() throws {
        let outputURL = URL(fileURLWithPath: output)
        let datasetURL = URL(fileURLWithPath: dataset)
        let data = try DatasetStore.load(from: datasetURL)
        let settings: ModelConfig
        if resume {
            let bundle = try ModelBundle.read(from: outputURL)
            guard bundle.schema.itemCount == data.itemCount else {
                throw ValidationError("\(output) was trained on \(bundle.schema.itemCount) items, \(dataset) has \(data.itemCount)")
            }
            settings = bundle.config
        } else {
            settings = try resolvedConfig()
            try TrainingSession.prepareOutputDirectory(outputURL, force: force)
        }
        let state = try TrainingSession.run(data: data, datasetURL: datasetURL, settings: settings, outputURL: outputURL, resume: resume)
        let best = state.bestEpoch >= 0
            ? String(format: "best epoch %d, valid Recall@50 %.4f", state.bestEpoch + 1, state.bestRecall) : "last epoch kept"
        print("model written to \(output) (\(best))")
    }
}

/// One training run with progress display, Ctrl-C checkpointing and the model directory's logs;
/// shared by `mind train` and `mind demo`.
enum TrainingSession {
    static func run(data: Dataset, datasetURL: URL, settings: ModelConfig, outputURL: URL, resume: Bool) throws -> TrainerState {
        let schema = DataSchema(dataset: data)
        let trainingData = TrainingData(dataset: data)
        if !resume {
            try ModelBundle(config: settings, schema: schema, itemIDs: data.items.ids,
                            datasetPath: datasetURL.standardizedFileURL.path, itemPopularity: trainingData.popularity).write(to: outputURL)
        }
        let recommender = RecommenderModel(config: settings, schema: schema)
        let trainer = Trainer(model: recommender, data: trainingData, directory: outputURL)
        if resume { try trainer.resume() }
        if !data.evaluationCases(.valid).isEmpty {
            trainer.validate = { model in
                try ModelEvaluation.evaluate(model, dataset: data, split: .valid, cutoffs: [50])[cutoff: 50]?.recall ?? 0
            }
        } else {
            Terminal.note("note: the dataset has no validation users; training runs all epochs and keeps the last weights")
        }
        Terminal.note("training \(settings.model.rawValue) on \(trainer.sampleCount) samples (\(trainer.batchesPerEpoch) batches/epoch), "
                      + "\(data.itemCount) items, d=\(settings.embeddingSize)\(settings.model != .youtubednn ? ", K=\(settings.interestCount)" : ""), \(settings.threads) thread(s)")
        Interruption.install()
        trainer.shouldStop = { Interruption.requested }
        let onTerminal = Terminal.standardErrorIsTerminal
        var lastLogLine = DispatchTime.now().uptimeNanoseconds
        trainer.onProgress = { progress in
            let line = String(format: "epoch %d/%d %@ %d/%d  %.0f samples/s  loss %.4f  ETA %@",
                              progress.epoch + 1, progress.epochs, Terminal.bar(Double(progress.batch) / Double(progress.batchesPerEpoch)),
                              progress.batch, progress.batchesPerEpoch, progress.samplesPerSecond, progress.averageLoss,
                              Terminal.duration(progress.secondsRemainingInEpoch))
            if onTerminal {
                Terminal.status(line)
            } else if DispatchTime.now().uptimeNanoseconds - lastLogLine > 10_000_000_000 {
                lastLogLine = DispatchTime.now().uptimeNanoseconds
                Terminal.note(line)
            }
        }
        trainer.onEpoch = { record in
            if onTerminal { Terminal.endStatus() }
            let recall = record.validationRecall.map { String(format: "  valid Recall@50 %.4f", $0) } ?? ""
            Terminal.note(String(format: "epoch %d: loss %.4f  %.0f samples/s  %.1f s%@", record.epoch + 1, record.loss,
                                 record.samplesPerSecond, record.seconds, recall))
            try? TrainingLog.append(record, to: outputURL)
            try? TrainingLog.writeMetrics(trainer.state, to: outputURL)
        }
        let outcome = try trainer.train()
        if onTerminal, case .interrupted = outcome { Terminal.endStatus() }
        try TrainingLog.writeMetrics(trainer.state, to: outputURL)
        switch outcome {
        case .interrupted(let epoch, let batch):
            Terminal.note("interrupted at epoch \(epoch + 1), batch \(batch); checkpoint saved. Continue with: "
                          + "mind train --dataset \(datasetURL.path) --output \(outputURL.path) --resume")
            throw ExitCode(130)
        case .stoppedEarly(let epoch):
            Terminal.note("stopped early after epoch \(epoch + 1): no better validation Recall@50 for \(settings.patience) epochs")
        case .finished:
            break
        }
        return trainer.state
    }

    /// Refuses to write over anything that is not an old model directory, and that only with --force.
    static func prepareOutputDirectory(_ url: URL, force: Bool) throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: url.path) else { return }
        let contents = (try? manager.contentsOfDirectory(atPath: url.path)) ?? []
        if contents.isEmpty { return }
        guard contents.contains("config.json") else {
            throw ValidationError("\(url.path) exists and is not a model directory; choose another --output")
        }
        guard force else { throw ValidationError("\(url.path) already holds a model; add --force to replace it or --resume to continue it") }
        for name in contents { try manager.removeItem(at: url.appendingPathComponent(name)) }
    }
}

/// The model directory's training log (one JSON line per epoch) and metrics summary.
enum TrainingLog {
    static func append(_ record: EpochRecord, to directory: URL) throws {
        let url = directory.appendingPathComponent("training_log.jsonl")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(record)
        line.append(0x0A)
        if let handle = try? FileHandle(forWritingTo: url) {
            defer { try? handle.close() }
            handle.seekToEndOfFile()
            handle.write(line)
        } else {
            try line.write(to: url)
        }
    }

    struct Metrics: Codable {
        var epochs: [EpochRecord]
        var bestEpoch: Int?
        var bestValidationRecallAt50: Double?
        var finished: Bool
    }

    static func writeMetrics(_ state: TrainerState, to directory: URL) throws {
        let metrics = Metrics(epochs: state.history, bestEpoch: state.bestEpoch >= 0 ? state.bestEpoch + 1 : nil,
                              bestValidationRecallAt50: state.bestEpoch >= 0 ? state.bestRecall : nil, finished: state.finished)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(metrics), to: directory.appendingPathComponent("metrics.json"))
    }
}
