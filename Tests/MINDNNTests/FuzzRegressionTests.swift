import Foundation
import Testing
import MINDTestSupport
import MINDNN

/// The inputs `scripts/fuzz.sh` found crashing a reader, fed through the same API as the fuzzer, so that every
/// one stays fixed: errors are fine, a crash fails the suite.
@Suite("Fuzz regressions: safetensors")
struct FuzzRegressionTests {
    @Test func safeTensorsReaderSurvivesEveryRegressionInput() throws {
        let directory = try FuzzRegressions.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputs = FuzzRegressions.inputs("FuzzSafeTensors")
        #expect(inputs.count >= 5, "the five safetensors crashes the fuzzer found are kept")
        for input in inputs {
            let url = directory.appendingPathComponent("weights.safetensors")
            try Data(contentsOf: input).write(to: url)
            _ = try? SafeTensors.read(from: url)
        }
    }
}

