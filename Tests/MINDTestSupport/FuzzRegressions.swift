import Foundation

/// The inputs `scripts/fuzz.sh` found crashing a reader (Fuzz/regressions/<target>/), for the tests that feed
/// them through the same API as the fuzzer so that every one stays fixed.
public enum FuzzRegressions {
    /// Every regression input of fuzz target `target`, sorted; hidden files are left out.
    public static func inputs(_ target: String) -> [URL] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = root.appendingPathComponent("Fuzz/regressions/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// A fresh scratch directory for one test; the caller removes it.
    public static func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mind-fuzz-regressions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A dataset-directory fuzz input unpacked into files, as Fuzz/Sources/FuzzSupport/FileArchive.swift does (the
    /// fuzz package cannot reach test support): lines `#@# name` each start a file that runs to the next.
    public static func unpack(_ bytes: [UInt8]) -> [(name: String, bytes: [UInt8])] {
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
}
