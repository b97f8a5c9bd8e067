import Foundation
import MINDData
import MINDEval
import MINDModels
import Testing
@testable import MINDCommands

/// What a command writes never destroys what it reads or what the user keeps beside it, and a write goes where the
/// user pointed (through a link), or fails loudly.
@Suite("Outputs that would destroy inputs")
struct OutputSafetyTests {
    /// Logs, a dataset and a one-epoch model, in a fresh workspace.
    func trainedWorkspace() throws -> CommandWorkspace {
        let workspace = try CommandWorkspace(prefix: "mind-outputs")
        let (run, path) = (workspace.run, workspace.path)
        try run(["synth", "--users", "200", "--items", "80", "--topics", "4", "--seed", "5", "--output", path("logs")])
        try run(["prepare", "--interactions", path("logs/interactions.csv"), "--output", path("data")])
        try run(["train", "--dataset", path("data"), "--output", path("model"), "--epochs", "1", "--embedding-size", "8",
                 "--mlp-hidden", "16", "--negatives", "20", "--threads", "1"])
        return workspace
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func anOutputThatIsAnInputIsRefusedBeforeAnyWork() throws {
        let workspace = try trainedWorkspace()
        defer { workspace.remove() }
        let (run, path) = (workspace.run, workspace.path)
        let config = try bytes(path("model/config.json")), items = try bytes(path("data/items.txt"))
        let weights = try bytes(path("model/weights.safetensors"))
        let refused: [[String]] = [
            ["evaluate", "--model", path("model"), "--dataset", path("data"), "--json", path("model/config.json")],
            ["explain", "--model", path("model"), "--dataset", path("data"), "--history", "1", "--output", path("data/items.txt")],
            // The dataset a model was trained on is read by default, so it is an input too.
            ["explain", "--model", path("model"), "--history", "1", "--output", path("data/items.txt")],
            ["report", "--model", path("model"), "--output", path("model/weights.safetensors")],
            ["prepare", "--interactions", path("model/config.json"), "--output", path("model")],
            ["train", "--dataset", path("data"), "--output", path("data/model")],
            ["export", "--model", path("model"), "--output", path("model")],
        ]
        for arguments in refused {
            #expect { try run(arguments) } throws: {
                "\($0)".contains("not an input") || "\($0)".contains("replacing it would delete")
            }
        }
        #expect(try bytes(path("model/config.json")) == config)
        #expect(try bytes(path("data/items.txt")) == items)
        #expect(try bytes(path("model/weights.safetensors")) == weights)
        // A single list goes to standard output: --output there would be ignored, so it is refused.
        #expect(throws: (any Error).self) { try run(["recommend", "--model", path("model"), "--history", "1", "--output", path("x.jsonl")]) }
    }

    @Test func replacingADirectoryNeverDeletesFilesThatAreNotItsOwn() throws {
        let workspace = try trainedWorkspace()
        defer { workspace.remove() }
        let (run, path) = (workspace.run, workspace.path)
        let manager = FileManager.default
        // The log being prepared lies inside the dataset it would replace.
        try manager.copyItem(atPath: path("logs/interactions.csv"), toPath: path("data/mylog.csv"))
        #expect(throws: (any Error).self) { try run(["prepare", "--interactions", path("data/mylog.csv"), "--output", path("data")]) }
        // A note beside the dataset's files.
        try manager.removeItem(atPath: path("data/mylog.csv"))
        try Data("n".utf8).write(to: URL(fileURLWithPath: path("data/NOTES.md")))
        #expect(throws: (any Error).self) { try run(["prepare", "--interactions", path("logs/interactions.csv"), "--output", path("data")]) }
        let dataset = try DatasetStore.load(from: URL(fileURLWithPath: path("data")))
        #expect(throws: PrepareError.outputHoldsOtherFiles(path: path("data"), names: ["NOTES.md"])) {
            try dataset.write(to: URL(fileURLWithPath: path("data")))
        }
        #expect(manager.fileExists(atPath: path("data/NOTES.md")))

        try run(["export", "--model", path("model"), "--output", path("export")])
        try Data("n".utf8).write(to: URL(fileURLWithPath: path("export/NOTES.md")))
        #expect(throws: (any Error).self) { try run(["export", "--model", path("model"), "--output", path("export")]) }
        #expect(manager.fileExists(atPath: path("export/NOTES.md")))

        try Data("n".utf8).write(to: URL(fileURLWithPath: path("model/NOTES.md")))
        let trainAgain = ["train", "--dataset", path("data"), "--output", path("model"), "--epochs", "1", "--embedding-size", "8",
                          "--mlp-hidden", "16", "--negatives", "20", "--threads", "1", "--force"]
        #expect(throws: (any Error).self) { try run(trainAgain) }
        #expect(manager.fileExists(atPath: path("model/NOTES.md")) && manager.fileExists(atPath: path("model/weights.safetensors")))

        // Without the note, --force trains beside the old model and swaps the two at the end: nothing left beside it.
        try manager.removeItem(atPath: path("model/NOTES.md"))
        try run(trainAgain + ["--seed", "9"])
        let bundle = try ModelBundle.read(from: URL(fileURLWithPath: path("model")))
        #expect(bundle.config.seed == 9)
        #expect(try manager.contentsOfDirectory(atPath: workspace.directory.path).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test func anOutputThroughALinkReplacesTheTargetAndKeepsTheLink() throws {
        let workspace = try trainedWorkspace()
        defer { workspace.remove() }
        let (run, path) = (workspace.run, workspace.path)
        let manager = FileManager.default
        try manager.createDirectory(atPath: path("real"), withIntermediateDirectories: false)
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: path("real/out.jsonl")))
        try manager.createSymbolicLink(atPath: path("link.jsonl"), withDestinationPath: "real/out.jsonl")
        try Data(Array(#"{"user": "a", "items": ["1", "2"]}"#.utf8) + [0x0A]).write(to: URL(fileURLWithPath: path("in.jsonl")))
        try run(["recommend", "--model", path("model"), "--histories", path("in.jsonl"), "--output", path("link.jsonl")])
        #expect(try manager.destinationOfSymbolicLink(atPath: path("link.jsonl")) == "real/out.jsonl")
        let written = try String(contentsOfFile: path("real/out.jsonl"), encoding: .utf8)
        #expect(written.hasPrefix(#"{"interests":"#))
        // A device that refuses the bytes is an error, not a success (and stays a device).
        if manager.fileExists(atPath: "/dev/full") {
            #expect(throws: (any Error).self) {
                try run(["recommend", "--model", path("model"), "--histories", path("in.jsonl"), "--output", "/dev/full"])
            }
            #expect(FilePathsProbe.isCharacterDevice("/dev/full"))
        }
    }

    @Test func resumingOnOtherDataAndEvaluatingNoUsersAreRefused() throws {
        let workspace = try trainedWorkspace()
        defer { workspace.remove() }
        let (run, path) = (workspace.run, workspace.path)
        // The same logs split otherwise: the same items, other training users, and no test users.
        try run(["prepare", "--interactions", path("logs/interactions.csv"), "--split-ratios", "9:1:0", "--output", path("other")])
        // (The commands print these errors and exit 1; the library's errors are checked by value.)
        #expect(throws: (any Error).self) { try run(["train", "--dataset", path("other"), "--output", path("model"), "--resume"]) }
        let other = try DatasetStore.load(from: URL(fileURLWithPath: path("other")))
        let started = try ModelBundle.read(from: URL(fileURLWithPath: path("model")))
        try #require(started.itemIDs == other.items.ids, "the same items, so only the training data tells them apart")
        let session = TrainingSession(data: other, datasetURL: URL(fileURLWithPath: path("other")), settings: started.config,
                                      outputURL: URL(fileURLWithPath: path("model")), resume: true)
        #expect(throws: ModelBundleError.resumedOnOtherData(model: path("model"), dataset: path("other"))) { _ = try session.makeTrainer() }
        #expect(throws: (any Error).self) { try run(["evaluate", "--model", path("model"), "--dataset", path("other")]) }
        #expect { try checkHasEvaluationUsers(other, split: .test, datasetPath: path("other")) } throws: { "\($0)".contains("no test users") }
    }
}

/// `stat` for a test's check that a device is still a device.
enum FilePathsProbe {
    static func isCharacterDevice(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR
    }
}
