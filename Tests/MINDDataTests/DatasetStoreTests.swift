import Foundation
import Testing
@testable import MINDData

@Suite struct DatasetStoreTests {
    func preparedFromFiles(_ directory: TemporaryDirectory) throws -> (Dataset, PrepareReport) {
        let logs = SyntheticLogs.generate(SyntheticConfig(users: 60, items: 80, topics: 4, meanLength: 10), seed: 2)
        _ = try SyntheticWriter.write(logs.config, seed: 2, interactions: directory.path("in.csv"), items: directory.path("items.csv"))
        return try DatasetPreparation.run(
            .init(interactions: directory.path("in.csv"), items: directory.path("items.csv")),
            options: PrepareOptions(minUserCount: 2, minItemCount: 2))
    }

    @Test func roundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let (dataset, report) = try preparedFromFiles(directory)
        let output = directory.path("dataset")
        try dataset.write(to: output, report: report)
        let loaded = try Dataset.load(from: output)
        #expect(loaded.manifest == dataset.manifest)
        #expect(loaded.users == dataset.users && loaded.items == dataset.items)
        #expect(loaded.sequenceItems == dataset.sequenceItems && loaded.sequenceOffsets == dataset.sequenceOffsets)
        #expect(loaded.sequenceTimestamps == dataset.sequenceTimestamps)
        #expect(loaded.userSplit == dataset.userSplit)
        #expect(loaded.itemFeatures == dataset.itemFeatures && loaded.userFeatures == dataset.userFeatures)
        #expect(loaded.evaluationCases(.test) == dataset.evaluationCases(.test))
        #expect(loaded.trainingSequences() == dataset.trainingSequences())
        #expect(loaded.manifest.sources.map(\.sha256) == [
            try SHA256.hex(ofFile: directory.path("in.csv")), try SHA256.hex(ofFile: directory.path("items.csv")),
        ])
        // Replacing an existing dataset is allowed.
        try dataset.write(to: output, report: report)
        #expect(try Dataset.load(from: output).sequenceItems == dataset.sequenceItems)
    }

    @Test func theReadBackCheckPassesOnAGoodWriteAndNamesWhatAChangedFileAltered() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let (dataset, report) = try preparedFromFiles(directory)
        let output = directory.path("dataset")
        try dataset.write(to: output, report: report)
        #expect(try dataset.verifyWritten(at: output) >= 0)
        // Another user id in users.txt: same shape, different content, caught by name.
        let users = output.appendingPathComponent("users.txt")
        var lines = try String(contentsOf: users, encoding: .utf8).components(separatedBy: "\n")
        lines[0] = "someone-else"
        try lines.joined(separator: "\n").write(to: users, atomically: true, encoding: .utf8)
        #expect {
            try dataset.verifyWritten(at: output)
        } throws: { error in
            guard case PrepareError.writeFailed(_, let reason) = error else { return false }
            return reason.contains("users") && !reason.contains("items")
        }
    }

    @Test func failingPrepareLeavesNoOutput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let input = try directory.write("bad.csv", "user_id,item_id\nu,i\nu\n")
        let output = directory.path("out")
        #expect(throws: DataReadError.self) {
            let (dataset, report) = try DatasetPreparation.run(.init(interactions: input), options: PrepareOptions())
            try dataset.write(to: output, report: report)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted() == ["bad.csv"])
    }

    @Test func failedWriteLeavesNoOutputOrTemporaryDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let (dataset, report) = try preparedFromFiles(directory)
        var broken = dataset
        // A feature whose schema names a file inside a missing subdirectory makes the write fail midway.
        broken.manifest.schema.itemFeatures[0].file = "missing/dir/feature"
        let output = directory.path("out")
        #expect(throws: PrepareError.self) { try broken.write(to: output, report: report) }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(!names.contains("out") && !names.contains { $0.hasPrefix(".out.tmp-") })
    }

    @Test func refusesToOverwriteANonDatasetDirectoryOrFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let (dataset, _) = try preparedFromFiles(directory)
        let precious = directory.path("precious")
        try FileManager.default.createDirectory(at: precious, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: precious.appendingPathComponent("notes.txt"))
        #expect(throws: PrepareError.outputIsNotADataset(path: precious.path)) { try dataset.write(to: precious) }
        #expect(FileManager.default.fileExists(atPath: precious.appendingPathComponent("notes.txt").path))
        let file = try directory.write("a-file", "x")
        #expect(throws: PrepareError.outputIsAFile(path: file.path)) { try dataset.write(to: file) }
        let empty = directory.path("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try dataset.write(to: empty)
        #expect(try Dataset.load(from: empty).userCount == dataset.userCount)
    }

    @Test func loadRejectsDamagedDirectories() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let (dataset, _) = try preparedFromFiles(directory)
        let output = directory.path("ds")
        try dataset.write(to: output)
        #expect(throws: DatasetError.notADataset(path: directory.url.path)) { _ = try Dataset.load(from: directory.url) }
        // An id with a line break shifts every later line: caught by the line count.
        let items = output.appendingPathComponent("items.txt")
        var text = try String(contentsOf: items, encoding: .utf8)
        text = text.replacingOccurrences(of: "\n", with: "\nbroken\n", options: [], range: text.startIndex..<text.index(after: text.firstIndex(of: "\n")!))
        try Data(text.utf8).write(to: items)
        #expect(throws: DatasetError.self) { _ = try Dataset.load(from: output) }
        try dataset.write(to: output)
        try Data([1, 2, 3]).write(to: output.appendingPathComponent("sequence_items.i32"))
        #expect(throws: DatasetError.self) { _ = try Dataset.load(from: output) }
    }
}
