import Foundation
import Testing
@testable import MINDData

/// The inputs `scripts/fuzz.sh` found crashing a reader (Fuzz/regressions/<target>/), fed through the same API
/// as the fuzzer, so that every one stays fixed: errors are fine, a crash fails the suite. A file whose name
/// starts with `pending-` still crashes code being fixed on another branch and is skipped until then.
@Suite("Fuzz regressions: tables and dataset directories")
struct FuzzRegressionTests {
    @Test func tableReadersSurviveEveryRegressionInput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        for input in fuzzRegressionInputs("FuzzTables") {
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
        for input in fuzzRegressionInputs("FuzzDataset") {
            let directory = try TemporaryDirectory()
            defer { directory.cleanup() }
            for file in unpackFuzzArchive(Array(try Data(contentsOf: input))) {
                try directory.write(file.name, bytes: file.bytes)
            }
            _ = try? DatasetStore.load(from: directory.url)
        }
    }
}

/// Every regression input of fuzz target `target`, sorted by name, without the `pending-` ones.
func fuzzRegressionInputs(_ target: String) -> [URL] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let directory = root.appendingPathComponent("Fuzz/regressions/\(target)")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { !$0.hasPrefix(".") && !$0.hasPrefix("pending-") }.sorted().map { directory.appendingPathComponent($0) }
}

/// Fuzz/Sources/FuzzSupport/FileArchive.swift's `unpack`: lines `#@# name` each start a file that runs to the next.
func unpackFuzzArchive(_ bytes: [UInt8]) -> [(name: String, bytes: [UInt8])] {
    let marker = Array("#@# ".utf8)
    let starts = bytes.indices.filter { index in
        (index == 0 || bytes[index - 1] == 0x0A) && bytes[index...].starts(with: marker)
    }
    var files: [(name: String, bytes: [UInt8])] = []
    for (position, start) in starts.enumerated() {
        let end = position + 1 < starts.count ? starts[position + 1] : bytes.count
        let nameStart = start + marker.count
        let nameEnd = bytes[nameStart..<end].firstIndex(of: 0x0A) ?? end
        let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
        var contentEnd = end
        if position + 1 < starts.count && contentEnd > nameEnd { contentEnd -= 1 }
        let content = nameEnd < contentEnd ? Array(bytes[(nameEnd + 1)..<contentEnd]) : []
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.utf8.count < 200 else { continue }
        files.append((name, content))
    }
    return files
}
