import Foundation
import Testing
import MINDNN

/// The inputs `scripts/fuzz.sh` found crashing a reader, fed through the same API as the fuzzer, so that every
/// one stays fixed: errors are fine, a crash fails the suite. A file whose name starts with `pending-` still
/// crashes code being fixed on another branch and is skipped until then.
@Suite("Fuzz regressions: safetensors")
struct FuzzRegressionTests {
    @Test func safeTensorsReaderSurvivesEveryRegressionInput() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for input in fuzzRegressionInputs("FuzzSafeTensors") {
            let url = directory.appendingPathComponent("weights.safetensors")
            try Data(contentsOf: input).write(to: url)
            _ = try? SafeTensors.read(from: url)
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
