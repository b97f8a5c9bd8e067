import Foundation
import Testing
import MINDTestSupport
import MINDServing

/// The inputs `scripts/fuzz.sh` found crashing a reader, fed through the same API as the fuzzer, so that every
/// one stays fixed: errors are fine, a crash fails the suite.
@Suite("Fuzz regressions: JSONL histories")
struct FuzzRegressionTests {
    @Test func historyReaderSurvivesEveryRegressionInput() throws {
        let directory = try FuzzRegressions.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for input in FuzzRegressions.inputs("FuzzHistory") {
            let url = directory.appendingPathComponent("histories.jsonl")
            try Data(contentsOf: input).write(to: url)
            _ = try? HistoryFile.read(url)
        }
    }
}

