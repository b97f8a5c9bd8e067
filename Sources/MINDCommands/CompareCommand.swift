import ArgumentParser
import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDEval
import MINDModels
import MINDNN

/// `mind compare`: train several models under one budget rule, evaluate all on the same users, pair each
/// against the best, print one table and write it as JSON.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train several models under the same budget and compare them on the same test users.",
        discussion: """
            Each model is trained as 'mind train' trains it (validation Recall@50, early stopping, best weights kept) into --output/<name>, then all are evaluated over the whole catalogue with MostPopular beside them, and each is paired with the best by Recall@50 (95% paired-bootstrap interval over users). A model may carry its own settings after '+': mind+sampler=full+negatives=100. Settings given as --key value apply to every model first.

            """ + ConfigOverrides.help)

    @Option(help: "Dataset directory written by 'mind prepare'.") var dataset: String
    @Option(help: "Models, comma-separated; each a model name with optional +key=value settings.")
    var models: String = ModelKind.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: ArgumentHelp(
        "The training budget every model gets: epochs:N (at most N epochs, early stopping as configured) or minutes:M (whole epochs until M minutes of training have passed).",
        valueName: "epochs:N|minutes:M")) var budget: String = "epochs:20"
    @Option(help: "Directory for the trained models (one subdirectory per model) and compare.json.") var output: String
    @Option(help: "YAML or JSON config file applied to every model before the flags.") var config: String?
    @Option(help: "Which users to evaluate: valid or test.") var split: EvaluationSplit = .test
    @Option(help: "Cut-offs N, comma-separated.") var at: String = "20,50"
    @Option(help: "Where to write the comparison as JSON (default: --output/compare.json).") var json: String?
    @Option(help: "Bootstrap resamples for the paired intervals.") var resamples: Int = 2000
    @Flag(help: "Keep a model already trained in --output with exactly the same settings, and continue one that was interrupted, instead of training it again.")
    var reuse = false
    @Argument(parsing: .allUnrecognized, help: "Settings for every model as --key value or --key=value; the keys are listed above.")
    var settings: [String] = []

    /// A budget rule: the same for every model.
    enum Budget: Equatable {
        case epochs(Int)
        case minutes(Double)

        /// The budget as `--budget` spells it (minutes without a needless ".0"); recorded beside a model it trained.
        var text: String {
            switch self {
            case .epochs(let n): return "epochs:\(n)"
            case .minutes(let m): return m == m.rounded() && m < 1e15 ? "minutes:\(Int(m))" : "minutes:\(m)"
            }
        }

        init(_ text: String) throws {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2, parts[0] == "epochs", let n = Int(parts[1]), (1...100_000).contains(n) {
                self = .epochs(n)
            } else if parts.count == 2, parts[0] == "minutes", let m = Double(parts[1]), m > 0, m.isFinite {
                self = .minutes(m)
            } else {
                throw ValidationError("--budget takes epochs:N (N from 1 to 100000) or minutes:M (M > 0), got '\(text)'")
            }
        }
    }

    /// One requested model: its name as given, and the settings after '+'.
    struct ModelSpec {
        var name: String
        var kind: ModelKind
        var settings: [(key: String, value: String)]

        init(_ text: String) throws {
            let parts = text.split(separator: "+", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let kind = ModelKind(rawValue: parts[0]) else {
                throw ValidationError("--models: '\(parts[0])' is not a model; choose from \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.kind = kind
            settings = try parts.dropFirst().map { part in
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2, ModelConfig.setting(named: pair[0]) != nil else {
                    throw ValidationError("--models: '\(part)' in '\(text)' is not key=value with a known key")
                }
                return (pair[0], pair[1])
            }
            name = ([kind.rawValue] + settings.map { "\($0.key)=\($0.value)" }).joined(separator: "+")
        }

        /// The model directory's name: the spec with characters a file name should not hold replaced.
        var directoryName: String {
            String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
        }
    }

    /// The `--at` cut-offs (checked in `validate`).
    var cutoffs: [Int] { (try? parseCutoffs(at, example: "20,50")) ?? [] }

    func validate() throws {
        _ = try Budget(budget)
        let specs = try models.split(separator: ",").map { try ModelSpec(String($0)) }
        guard !specs.isEmpty else { throw ValidationError("--models names no model") }
        guard Set(specs.map(\.name)).count == specs.count else { throw ValidationError("--models names a model twice") }
        var probe = ModelConfig()
        do {
            try ConfigOverrides(settings).apply(to: &probe)
            for spec in specs { for (key, value) in spec.settings { try probe.set(key, to: value) } }
        } catch let error as ConfigError { throw ValidationError(error.description) }
        try checkResamples(resamples)
        _ = try parseCutoffs(at, example: "20,50")
        try checkOutputDirectory(output, option: "--output", inputs: [("--dataset", dataset), ("--config", config)])
        if let json { try checkOutputPath(json, option: "--json", inputs: [("--dataset", dataset), ("--config", config)]) }
    }

    func run() throws {
        do { try compare() } catch let error as ExitCode { throw error } catch let error as ValidationError { throw error } catch {
            throw CommandError.report(error)
        }
    }

    func compare() throws {
        let budget = try Budget(budget)
        let specs = try models.split(separator: ",").map { try ModelSpec(String($0)) }
        var base = ModelConfig()
        if let config { base = try ModelConfig.load(from: URL(fileURLWithPath: config)) }
        try ConfigOverrides(settings).apply(to: &base)
        // Every model's settings are checked before any training starts.
        let configs = try specs.map { spec -> ModelConfig in
            var resolved = base
            resolved.model = spec.kind
            for (key, value) in spec.settings { try resolved.set(key, to: value) }
            switch budget {
            case .epochs(let n): resolved.epochs = n
            case .minutes: resolved.epochs = 100_000  // the clock ends training
            }
            try resolved.validate()
            return resolved
        }
        let datasetURL = URL(fileURLWithPath: dataset), outputURL = URL(fileURLWithPath: output)
        let data = try DatasetStore.load(from: datasetURL)
        try checkHasEvaluationUsers(data, split: split, datasetPath: dataset)
        try FileManager.default.createDirectory(at: outputURL, withIntermediateDirectories: true)
        var entries: [ModelComparison.Entry] = []
        let interruption = Interruption()
        defer { interruption.cancel() }
        for (spec, settings) in zip(specs, configs) {
            let directory = outputURL.appendingPathComponent(spec.directoryName)
            if reuse && Self.isTrained(directory, with: settings, budget: budget) {
                Terminal.note("== \(spec.name): reusing \(directory.path)")
            } else {
                // An interrupted run with the same settings continues from its checkpoint (to the weights an
                // unbroken run reaches); a checkpoint that cannot be restored is reported and trained afresh.
                var resumed: (session: TrainingSession, trainer: Trainer)?
                if reuse && Self.hasCheckpoint(directory, with: settings) {
                    let session = TrainingSession(data: data, datasetURL: datasetURL, settings: settings, outputURL: directory, resume: true)
                    do { resumed = (session, try session.makeTrainer()) } catch {
                        Terminal.note("== \(spec.name): cannot continue the checkpoint in \(directory.path) (\(error)); training afresh")
                    }
                }
                let session: TrainingSession, trainer: Trainer
                if let resumed {
                    Terminal.note("== \(spec.name): continuing the checkpoint in \(directory.path) at epoch \(resumed.trainer.state.epoch + 1)")
                    (session, trainer) = resumed
                } else {
                    Terminal.note("== \(spec.name)")
                    try ModelBundle.prepareOutputDirectory(directory, replace: true, ownedByCaller: true)
                    session = TrainingSession(data: data, datasetURL: datasetURL, settings: settings, outputURL: directory, resume: false)
                    trainer = try session.makeTrainer()
                }
                var deadline: UInt64?
                if case .minutes(let m) = budget {
                    // The whole epochs a continued run has already trained count against its minutes.
                    let spent = trainer.state.history.reduce(0) { $0 + $1.seconds }
                    deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, m * 60 - spent) * 1e9)
                }
                _ = try TrainingDisplay.run(session, trainer: trainer, epochDeadline: deadline, interruption: interruption,
                                            continueHint: "run the same mind compare command with --reuse")
                // Written only once training has ended by its own rule (an interrupted run throws before this).
                try AtomicFile.write(Data((budget.text + "\n").utf8), to: directory.appendingPathComponent(Self.budgetFile))
            }
            let metrics = try TrainingLog.readMetrics(from: directory)
            let recommender = try loadRecommender(directory.path, toRunOn: data, at: dataset, threads: settings.threads)
            let users = try ModelEvaluation.evaluateEachUser(recommender, dataset: data, split: split, cutoffs: cutoffs)
            entries.append(.init(name: spec.name, config: settings, epochs: metrics?.epochs ?? [], bestEpoch: metrics?.bestEpoch, users: users))
        }
        let popular = try ModelEvaluation.evaluateMostPopularEachUser(dataset: data, split: split, cutoffs: cutoffs)
        entries.append(.init(name: "most-popular", config: nil, epochs: [], bestEpoch: nil, users: popular))
        let comparison = try ModelComparison(entries: entries, resamples: resamples)
        let budgetText = switch budget {
        case .epochs(let n): "at most \(n) epochs each"
        case .minutes(let m): "whole epochs until \(m) minutes each"
        }
        print("\(entries.count - 1) models on \(split.rawValue) users (\(entries[0].result.userCount) users, \(data.itemCount) items), \(budgetText); "
              + "best by Recall@\(comparison.rankingCutoff): \(comparison.best); epochs: kept/run")
        print(comparison.table())
        try EvaluateCommand.writeJSON(comparison, to: json ?? outputURL.appendingPathComponent("compare.json").path)
    }

    /// The file in a model directory naming the budget `mind compare` trained it under, once training ended.
    static let budgetFile = "compare_budget.txt"

    /// Whether `directory` holds a checkpoint of a run with `settings` (any thread count) that `mind compare --reuse` can continue.
    static func hasCheckpoint(_ directory: URL, with settings: ModelConfig) -> Bool {
        guard let bundle = try? ModelBundle.read(from: directory), bundle.config.trainsTheSameModel(as: settings) else { return false }
        return FileManager.default.fileExists(atPath: directory.appendingPathComponent("checkpoint/state.json").path)
    }

    /// Whether `directory` holds a completed training run with `settings` (any thread count) under `budget`: its log says it
    /// finished (all epochs, or early stopping), or compare recorded that it trained it to this budget (a minutes
    /// budget ends training between epochs, which the log alone cannot tell from an interrupted run).
    static func isTrained(_ directory: URL, with settings: ModelConfig, budget: Budget) -> Bool {
        guard let bundle = try? ModelBundle.read(from: directory), bundle.config.trainsTheSameModel(as: settings),
              let metrics = try? TrainingLog.readMetrics(from: directory), !metrics.epochs.isEmpty,
              FileManager.default.fileExists(atPath: directory.appendingPathComponent("weights.safetensors").path) else { return false }
        let recorded = try? String(contentsOf: directory.appendingPathComponent(budgetFile), encoding: .utf8)
        return metrics.finished || recorded?.trimmingCharacters(in: .whitespacesAndNewlines) == budget.text
    }
}
