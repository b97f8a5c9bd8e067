import ArgumentParser
import Foundation
import Testing
@testable import MINDCommands

/// `evaluate --json`: a path that cannot be written is named as given, never by its temporary file.
@Suite("evaluate --json output")
struct EvaluateJSONTests {
    @Test func aFailedWriteNamesThePathGivenAndLeavesNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-json-\(UUID().uuidString)")
        // The destination is a non-empty directory, so the final rename fails.
        let destination = directory.appendingPathComponent("metrics.json")
        try FileManager.default.createDirectory(at: destination.appendingPathComponent("inside"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try EvaluateCommand.writeJSON(["recall": 0.5], to: destination.path)
            Issue.record("expected an error")
        } catch let error as OutputFileError {
            #expect(error.path == destination.path)
            #expect(!error.description.contains(".tmp-"), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["metrics.json"])
    }

    @Test("unwritable --json paths are refused before the evaluation", arguments: [
        ["evaluate", "--most-popular", "--dataset", "d", "--json", "/no/such/directory/metrics.json"],
        ["evaluate", "--most-popular", "--dataset", "d", "--json", "/tmp"],
    ])
    func refusedBeforeWork(arguments: [String]) {
        #expect(throws: (any Error).self) { try MindCommand.parseAsRoot(arguments) }
    }
}
