import Foundation
import Testing
import MINDModels

/// The inputs `scripts/fuzz.sh` found crashing a reader, fed through the same API as the fuzzer, so that every
/// one stays fixed: errors are fine, a crash fails the suite. A file whose name starts with `pending-` still
/// crashes code being fixed on another branch and is skipped until then.
@Suite("Fuzz regressions: config files")
struct FuzzRegressionTests {
    @Test func configReadersSurviveEveryRegressionInput() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for input in fuzzRegressionInputs("FuzzConfig") {
            let data = try Data(contentsOf: input)
            let url = directory.appendingPathComponent("config.yaml")
            try data.write(to: url)
            if let config = try? ModelConfig.load(from: url) { _ = try? config.validate() }
            if let config = try? JSONDecoder().decode(ModelConfig.self, from: data) { _ = try? config.validate() }
        }
    }
}

/// Every regression input of fuzz target `target` (Fuzz/regressions/<target>/), sorted, without the `pending-` ones.
private func fuzzRegressionInputs(_ target: String) -> [URL] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let directory = root.appendingPathComponent("Fuzz/regressions/\(target)")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { !$0.hasPrefix(".") && !$0.hasPrefix("pending-") }.sorted().map { directory.appendingPathComponent($0) }
}

/// A fresh scratch directory for one test.
private func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mind-fuzz-regressions-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
