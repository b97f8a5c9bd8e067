import ArgumentParser
import Foundation
import MINDData
import MINDModels
import MINDNN
import MINDReport
import MINDServing

/// `mind explain`: why a model recommends what it does for one user, as a heatmap and tables.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show which behaviours each interest is built from, what each interest retrieves, and why each item is recommended.",
        discussion: """
            The output's kind follows --format, or else the --output file's extension (.svg, .html, anything else text); without --output the text goes to standard output. Item titles and categories come from the dataset (--dataset, or the one the model was trained on, when it is still there).
            """)

    /// What `mind explain` writes.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case svg, html, text
    }

    @Option(help: "Model directory written by 'mind train'.") var model: String
    @Option(help: "Dataset directory (default: the one the model was trained on).") var dataset: String?
    @Option(help: "A user of the dataset whose stored history to explain.") var user: String?
    @Option(help: "A history as comma-separated item ids, oldest first, or a JSON array of ids (for ids with commas).") var history: String?
    @Option(help: "Output file (.svg, .html or text); default: text on standard output.") var output: String?
    @Option(help: "Output format (default: from the --output extension).") var format: Format?
    @Option(help: "How many items to recommend and to list per interest.") var top: Int = 10
    @Option(help: "Item feature to show as categories (default: one named like 'genre' or 'category').") var categoryFeature: String?

    func validate() throws {
        guard (user != nil) != (history != nil) else { throw ValidationError("give exactly one of --user, --history") }
        if let history { _ = try parseHistory(history) }
        guard (1...1000).contains(top) else { throw ValidationError("--top must be between 1 and 1000") }
        if format != nil && format != .text && output == nil { throw ValidationError("--format \(format?.rawValue ?? "") needs --output") }
        if let output {
            // The dataset read by default is an input too.
            let data = dataset ?? (try? ReportCommand.recordedDataset(of: model))
            try checkOutputPath(output, option: "--output", inputs: [("--model", model), ("--dataset", data)])
        }
    }

    /// The format to write: the flag, else the output's extension.
    var resolvedFormat: Format {
        if let format { return format }
        switch output.map({ URL(fileURLWithPath: $0).pathExtension.lowercased() }) {
        case "svg": return .svg
        case "html", "htm": return .html
        default: return .text
        }
    }

    func run() throws {
        do { try explain() } catch let error as ValidationError { throw error } catch { throw CommandError.report(error) }
    }

    private func explain() throws {
        let recommender = try Recommender(directory: URL(fileURLWithPath: model), threads: 1)
        let data = try datasetForLabels(recommender)
        let labels = try data.map { try ItemLabels(dataset: $0, categoryFeature: categoryFeature) } ?? ItemLabels(ids: recommender.itemIDs)
        let items: [Int32], profile: [Int32], subject: String, unknown: Int
        if let user {
            guard let data else { throw CommandInputError("--user needs a dataset: give --dataset DIR") }
            guard let index = data.users.index(of: user) else { throw CommandInputError("user '\(user)' is not in the dataset") }
            items = Array(data.sequence(ofUser: Int(index)))
            profile = recommender.model.usesProfile ? data.profile(ofUser: Int(index)) : []
            (subject, unknown) = ("user \(user)", 0)
        } else {
            let ids = try parseHistory(history ?? "")
            (items, unknown) = recommender.itemIndices(ids)
            guard !items.isEmpty else { throw CommandInputError("--history holds no item of the model's catalogue") }
            (profile, subject) = ([], "the given history")
        }
        var explanation = recommender.explain(history: items, profile: profile, count: top, perInterest: top)
        explanation.unknownItems = unknown
        let page = ExplainPage(explanation: explanation, labels: labels, subject: subject, modelName: recommender.bundle.config.model.rawValue)
        let text: String
        switch resolvedFormat {
        case .svg: text = page.svg()
        case .html: text = page.html()
        case .text: text = page.text()
        }
        guard let output else { print(text, terminator: text.hasSuffix("\n") ? "" : "\n"); return }
        try ReportCommand.write(text, to: output)
        Terminal.note("wrote \(output)")
    }

    /// The dataset named by --dataset, else the model's own when it still exists and matches; nil without one.
    private func datasetForLabels(_ recommender: Recommender) throws -> Dataset? {
        if let dataset {
            let data = try DatasetStore.load(from: URL(fileURLWithPath: dataset))
            _ = try recommender.bundle.check(against: data, at: dataset, modelPath: model)
            return data
        }
        let recorded = recommender.bundle.datasetPath
        guard !recorded.isEmpty, let data = try? DatasetStore.load(from: URL(fileURLWithPath: recorded)),
              (try? recommender.bundle.check(against: data, at: recorded, modelPath: model)) != nil else {
            if user == nil { Terminal.note("note: no dataset found; items are shown by id (give --dataset for titles and categories)") }
            return nil
        }
        return data
    }
}

/// Input a command finds unusable after its options were accepted (an unknown user, a history of unknown items).
struct CommandInputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
