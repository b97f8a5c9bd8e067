import Foundation
import Testing
import MINDTestSupport
import MINDModels

/// The inputs `scripts/fuzz.sh` found crashing a reader, fed through the same API as the fuzzer, so that every
/// one stays fixed: errors are fine, a crash fails the suite.
@Suite("Fuzz regressions: config files")
struct FuzzRegressionTests {
    @Test func configReadersSurviveEveryRegressionInput() throws {
        let directory = try FuzzRegressions.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for input in FuzzRegressions.inputs("FuzzConfig") {
            let data = try Data(contentsOf: input)
            let url = directory.appendingPathComponent("config.yaml")
            try data.write(to: url)
            if let config = try? ModelConfig.load(from: url) { _ = try? config.validate() }
            if let config = try? JSONDecoder().decode(ModelConfig.self, from: data) { _ = try? config.validate() }
        }
    }
}

