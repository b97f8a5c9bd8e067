import ArgumentParser
import Foundation
import MINDCore
import MINDData
import MINDEval
import MINDModels
import MINDNN
import MINDReport
import MINDServing

/// `mind report`: one self-contained HTML page about a trained model.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page: training curves, evaluation beside other models, what each interest holds, and for which users several interests pay off.",
        discussion: """
            The page has no scripts and loads nothing from elsewhere: open it in any browser, mail it, or check it in. Models given with --against must have been trained on the same dataset (same item vocabulary).
            """)

    @Option(help: "Model directory written by 'mind train'.") var model: String
    @Option(help: "Another model directory to compare with (repeatable).") var against: [String] = []
    @Option(help: "Dataset directory (default: the one the model was trained on).") var dataset: String?
    @Option(help: "Which users to evaluate: valid or test.") var split: EvaluationSplit = .test
    @Option(help: "Output HTML file.") var output: String
    @Option(help: "Item feature to read as categories (default: one named like 'genre' or 'category').") var categoryFeature: String?
    @Option(help: "Groups of users by history diversity.") var buckets: Int = 4
    @Option(help: "Bootstrap resamples for the paired intervals.") var resamples: Int = 1000
    @Option(help: "Threads (default: all cores); the report is the same for any value.") var threads: Int = Parallel.availableCores

    func validate() throws {
        guard (1...20).contains(buckets) else { throw ValidationError("--buckets must be between 1 and 20") }
        try checkResamples(resamples)
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        let data = dataset ?? (try? Self.recordedDataset(of: model))  // the dataset read by default is an input too
        try checkOutputPath(output, option: "--output", inputs: [("--model", model), ("--dataset", data)] + against.map { ("--against", $0) })
    }

    func run() throws {
        do {
            let summary = try Self.writeReport(model: model, against: against, dataset: dataset, output: output, options: options, threads: threads)
            for line in summary { print(line) }
            print("report written to \(output)")
        } catch let error as ValidationError { throw error } catch { throw CommandError.report(error) }
    }

    var options: ModelReport.Options {
        var options = ModelReport.Options()
        options.split = split
        options.categoryFeature = categoryFeature
        options.diversityBuckets = buckets
        options.resamples = resamples
        return options
    }

    /// Measures and writes the report; returns its summary sentences. Shared with `mind demo`.
    static func writeReport(
        model: String, against: [String], dataset: String?, output: String, options: ModelReport.Options, threads: Int
    ) throws -> [String] {
        let datasetPath = try dataset ?? recordedDataset(of: model)
        let data = try DatasetStore.load(from: URL(fileURLWithPath: datasetPath))
        try checkHasEvaluationUsers(data, split: options.split, datasetPath: datasetPath)
        let recommender = try loadRecommender(model, toRunOn: data, at: datasetPath, threads: threads)
        var names = [recommender.bundle.config.model.rawValue]
        var others: [(name: String, recommender: Recommender)] = []
        for path in against {
            let other = try loadRecommender(path, toRunOn: data, at: datasetPath, threads: threads)
            var name = other.bundle.config.model.rawValue
            // Two models of one kind: their directory names tell them apart.
            if names.contains(name) { name = URL(fileURLWithPath: path).lastPathComponent }
            names.append(name)
            others.append((name, other))
        }
        let report = try ModelReport.build(model: recommender, name: names[0], directory: URL(fileURLWithPath: model),
                                           against: others, dataset: data, options: options)
        let page = ReportPage(report: report, modelPath: model)
        try write(page.html(), to: output)
        return page.summary()
    }

    /// The dataset directory recorded in the model, if it still exists.
    static func recordedDataset(of model: String) throws -> String {
        let bundle = try ModelBundle.read(from: URL(fileURLWithPath: model))
        guard !bundle.datasetPath.isEmpty, FileManager.default.fileExists(atPath: bundle.datasetPath) else {
            throw CommandInputError("\(model) does not name a dataset that still exists; give --dataset DIR")
        }
        return bundle.datasetPath
    }

    /// Writes text through a temporary file renamed into place; an error names the file the user asked for.
    static func write(_ text: String, to path: String) throws {
        do {
            try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
        } catch {
            throw OutputFileError(path: path, reason: OutputFileError.reason(of: error))
        }
    }
}
