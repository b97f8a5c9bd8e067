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
        abstract: "Train MIND, YouTubeDNN, ComiRec-DR, ComiRec-SA, SDM, SASRec or GRU4Rec on a prepared dataset.",
        discussion: """
            Settings come from the defaults, then --config (YAML or JSON with the keys below), then --key value (or --key=value) flags. A checkpoint is written after each epoch and when you press Ctrl-C; --resume continues from it and ends at the same weights as an unbroken run. The best weights by validation Recall@50 are kept.

            """ + ConfigOverrides.help)

    @Option(help: "Dataset directory written by 'mind prepare'.") var dataset: String
    @Option(help: "Model (overrides the config file).") var model: ModelKind?
    @Option(help: "YAML or JSON config file; every key can also be given as a flag.") var config: String?
    @Option(help: "Model directory to write.") var output: String
    @Flag(help: "Continue the run saved in --output from its last checkpoint.") var resume = false
    @Flag(help: "Replace an existing model directory at --output (trained beside it, swapped in when training ends).") var force = false
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
        try checkOutputDirectory(output, option: "--output", inputs: [("--dataset", dataset), ("--config", config)])
    }

    func resolvedConfig() throws -> ModelConfig {
        var resolved = ModelConfig()
        if let config { resolved = try ModelConfig.load(from: URL(fileURLWithPath: config)) }
        if let model { resolved.model = model }
        try ConfigOverrides(settings).apply(to: &resolved)
        try resolved.validate()
        return resolved
    }

    /// Where `--force` trains the model that will replace the one at `output`: a hidden sibling.
    static func replacementDirectory(for output: URL) -> URL {
        let output = output.standardizedFileURL
        return output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).replacing")
    }

    func run() throws {
        do { try train() } catch let error as ExitCode { throw error } catch { throw CommandError.report(error) }
    }

    func train() throws {
        let outputURL = URL(fileURLWithPath: output)
        let datasetURL = URL(fileURLWithPath: dataset)
        // A bad config file is reported before the (possibly large) dataset is read.
        let requested = resume ? nil : try resolvedConfig()
        let data = try DatasetStore.load(from: datasetURL)
        // --force over a model trains beside it (in `replacement`) and swaps the two only when training ends: until
        // then the old model stays whole and can keep serving, and an interrupted or failed run takes nothing away.
        let replacement = Self.replacementDirectory(for: outputURL)
        let workURL: URL
        let settings: ModelConfig
        if resume {
            workURL = FileManager.default.fileExists(atPath: replacement.path) ? replacement : outputURL
            let bundle = try ModelBundle.read(from: workURL)
            guard bundle.schema.itemCount == data.itemCount else {
                throw ValidationError("\(output) was trained on \(bundle.schema.itemCount) items, \(dataset) has \(data.itemCount)")
            }
            settings = bundle.config
        } else {
            settings = requested ?? ModelConfig()
            if force && ModelBundle.holdsModel(outputURL) {
                try ModelBundle.checkHoldsOnlyModelFiles(outputURL)
                try? FileManager.default.removeItem(at: replacement)  // an earlier interrupted replacement
                try FileManager.default.createDirectory(at: replacement, withIntermediateDirectories: false)
                workURL = replacement
            } else {
                try ModelBundle.prepareOutputDirectory(outputURL, replace: force)
                workURL = outputURL
            }
        }
        let session = TrainingSession(data: data, datasetURL: datasetURL, settings: settings, outputURL: workURL, resume: resume)
        let interruption = Interruption()
        defer { interruption.cancel() }
        let state = try TrainingDisplay.run(
            session, interruption: interruption,
            continueHint: "mind train --dataset \(dataset) --output \(output) --resume")
        if workURL != outputURL { try StagedDirectory.moveIntoPlace(workURL, destination: outputURL) }
        let best = state.bestEpoch >= 0
            ? String(format: "best epoch %d, valid Recall@50 %.4f", state.bestEpoch + 1, state.bestRecall) : "last epoch kept"
        print("model written to \(output) (\(best))")
    }
}

/// A training session on the terminal: a progress line, one line per epoch, Ctrl-C to checkpoint and stop.
/// Shared by `mind train`, `mind compare` and `mind demo`.
enum TrainingDisplay {
    /// `epochDeadline` (uptime nanoseconds): no new epoch starts after it (`mind compare --budget minutes:M`).
    /// `interruption` is the command's one listener, shared by every model it trains (see `Interruption`).
    /// `trainer` is `session.makeTrainer()` when the caller has built it already; `continueHint` says how to go on
    /// after an interruption (default: `mind train --resume` on the session's directory).
    static func run(_ session: TrainingSession, trainer: Trainer? = nil, epochDeadline: UInt64? = nil, interruption: Interruption,
                    continueHint: String? = nil) throws -> TrainerState {
        let settings = session.settings
        let trainer = try trainer ?? session.makeTrainer()
        if !session.validates {
            Terminal.note("note: the dataset has no validation users; training runs all epochs and keeps the last weights")
        }
        Terminal.note("training \(settings.model.rawValue) on \(trainer.sampleCount) samples (\(trainer.batchesPerEpoch) batches/epoch), "
                      + "\(session.data.itemCount) items, d=\(settings.embeddingSize)\(settings.model.isMultiInterest ? ", K=\(settings.interestCount)" : ""), \(settings.threads) thread(s)")
        let onTerminal = Terminal.standardErrorIsTerminal
        var lastLogLine = DispatchTime.now().uptimeNanoseconds
        var hooks = TrainingSession.Hooks()
        // The trainer polls after every batch and between epochs; the deadline only stops it between epochs (batch 0).
        let pastDeadline = { epochDeadline.map { DispatchTime.now().uptimeNanoseconds >= $0 && trainer.state.batch == 0 } ?? false }
        hooks.shouldStop = { interruption.requested || pastDeadline() }
        hooks.onProgress = { progress in
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
        hooks.onEpoch = { record in
            if onTerminal { Terminal.endStatus() }
            let recall = record.validationRecall.map { String(format: "  valid Recall@50 %.4f", $0) } ?? ""
            Terminal.note(String(format: "epoch %d: loss %.4f  %.0f samples/s  %.1f s%@", record.epoch + 1, record.loss,
                                 record.samplesPerSecond, record.seconds, recall))
        }
        let outcome = try session.run(trainer, hooks: hooks)
        switch outcome.ending {
        case .interrupted(let epoch, _) where !interruption.requested:
            Terminal.note("time budget reached after epoch \(epoch)")
        case .interrupted(let epoch, let batch):
            if onTerminal { Terminal.endStatus() }
            Terminal.note("interrupted at epoch \(epoch + 1), batch \(batch); checkpoint saved. To continue: "
                          + (continueHint ?? "mind train --dataset \(session.datasetURL.path) --output \(session.outputURL.path) --resume"))
            throw ExitCode(130)
        case .stoppedEarly(let epoch):
            Terminal.note("stopped early after epoch \(epoch + 1): no better validation Recall@50 for \(settings.patience) epochs")
        case .finished:
            break
        }
        return outcome.state
    }
}
