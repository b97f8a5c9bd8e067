import ArgumentParser
import Foundation
import MINDData
import MINDCore

/// Writes a prepared dataset's split as JSONL, so reference implementations train and test on
/// exactly our users, histories and truths (benchmarks/reference/torch_rechub_quality.py).
struct ExportSplitBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-split",
        abstract: "Write train.jsonl ({user, items}) and test.jsonl ({user, history, truth}) of a dataset.")

    @Option(help: "Dataset directory written by 'mind prepare'.") var dataset: String
    @Option(help: "Directory to write train.jsonl and test.jsonl into.") var output: String
    @Option(help: "Which evaluation users go to test.jsonl: valid or test.") var split: EvaluationSplit = .test

    func run() throws {
        do {
            let data = try DatasetStore.load(from: URL(fileURLWithPath: dataset))
            let directory = URL(fileURLWithPath: output)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            struct TrainLine: Encodable { var user: String; var items: [String] }
            struct TestLine: Encodable { var user: String; var history: [String]; var truth: [String] }
            func ids(_ items: [Int32]) -> [String] { items.map { data.items.ids[Int($0)] } }
            var train = Data()
            for sequence in data.trainingSequences() {
                train.append(try encoder.encode(TrainLine(user: data.users.ids[Int(sequence.user)], items: ids(sequence.items))))
                train.append(0x0A)
            }
            var test = Data()
            for evaluationCase in data.evaluationCases(split) {
                test.append(try encoder.encode(TestLine(user: data.users.ids[Int(evaluationCase.user)], history: ids(evaluationCase.history),
                                                        truth: ids(evaluationCase.truth))))
                test.append(0x0A)
            }
            try AtomicFile.write(train, to: directory.appendingPathComponent("train.jsonl"))
            try AtomicFile.write(test, to: directory.appendingPathComponent("test.jsonl"))
            print("wrote \(directory.path)/train.jsonl and test.jsonl")
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError.report(error)
        }
    }
}
