import Foundation
import Testing
import MINDTestSupport
@testable import MINDData

/// The inputs `scripts/fuzz.sh` found crashing a reader (Fuzz/regressions/<target>/), fed through the same API
/// as the fuzzer, so that every one stays fixed: errors are fine, a crash fails the suite. A file whose name
/// starts with `pending-` still crashes code being fixed on another branch and is skipped until then.
@Suite("Fuzz regressions: tables and dataset directories")
struct FuzzRegressionTests {
    @Test func tableReadersSurviveEveryRegressionInput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        for input in FuzzRegressions.inputs("FuzzTables") {
            // The fuzzer's file is table.txt: no extension forces a format, so the first line decides.
            let url = try directory.write("table.txt", bytes: Array(try Data(contentsOf: input)))
            for format in [TableFormat.csv, .tsv, nil] {
                for skipInvalid in [false, true] {
                    _ = try? InteractionReader.read(url, skipInvalid: skipInvalid, format: format, threads: 1)
                    _ = try? AttributeReader.read(url, idColumn: "item_id", skipInvalid: skipInvalid, format: format)
                }
            }
        }
    }

    @Test func datasetLoaderSurvivesEveryRegressionInput() throws {
        let inputs = FuzzRegressions.inputs("FuzzDataset")
        #expect(!inputs.isEmpty, "the dataset crash found by review is kept")
        for input in inputs {
            let directory = try TemporaryDirectory()
            defer { directory.cleanup() }
            for file in FuzzRegressions.unpack(Array(try Data(contentsOf: input))) {
                try directory.write(file.name, bytes: file.bytes)
            }
            _ = try? DatasetStore.load(from: directory.url)
        }
    }
}

