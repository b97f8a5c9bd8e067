import Foundation
import Testing
@testable import MINDServing

/// Damaged JSONL histories: each refused with `file:line` and a reason in words, before any output exists.
@Suite("JSONL history files")
struct HistoryFileTests {
    /// Writes `lines` (raw bytes each) after one good line and returns the error of reading them.
    func readError(_ line: [UInt8]) throws -> (RecommendError?, URL) {
        let directory = try Fixture.scratchDirectory()
        let input = directory.appendingPathComponent("in.jsonl")
        try Data(Array(#"{"user": "ok", "items": ["1", 2]}"#.utf8) + [0x0A] + line + [0x0A]).write(to: input)
        do {
            _ = try HistoryFile.read(input)
            return (nil, directory)
        } catch let error as RecommendError {
            return (error, directory)
        }
    }

    /// `before`, raw bytes, `after`.
    static func line(_ before: String, _ raw: [UInt8] = [], _ after: String = "") -> [UInt8] {
        Array(before.utf8) + raw + Array(after.utf8)
    }

    static let damagedLines: [([UInt8], String)] = [
        (line(#"{"user": "x", "items": ["a"#, [0xFF, 0xFE], #""]}"#), "not valid UTF-8 (byte 27"),
        (line(#"{"user": ""#, [0xC3, 0x28], #"", "items": []}"#), "not valid UTF-8 (byte 11"),
        (line(#"{"user": "", "items": ["1"]}"#), "\"user\" is an empty string"),
        (line(#"{"user": "x", "items": ["1", ""]}"#), "\"items[1]\" is an empty string"),
        (line(#"{"user": "x", "items": [1, "2"], "profile": {"age": true}}"#), "profile.age"),
    ]

    @Test("a damaged line is refused with file:line and what is wrong", arguments: damagedLines)
    func damagedLine(line: [UInt8], mentions: String) throws {
        let (error, directory) = try readError(line)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = error.map(\.description) ?? "no error"
        #expect(text.contains("in.jsonl:2: "), "\(text)")
        #expect(text.contains(mentions), "\(text)")
    }

    @Test func overLongLinesAndHistoriesAreRefusedWithTheLimit() throws {
        let long = Self.line(#"{"user": "x", "items": ["#, [UInt8](repeating: 0x31, count: HistoryFile.maximumLineBytes), "]}")
        let (lineError, first) = try readError(long)
        defer { try? FileManager.default.removeItem(at: first) }
        #expect(lineError?.description.contains("in.jsonl:2: line of \(long.count) bytes; at most \(HistoryFile.maximumLineBytes)") == true,
                "\(String(describing: lineError))")
        let ids = (0...HistoryFile.maximumItemsPerLine).map(String.init).joined(separator: ",")
        let (itemsError, second) = try readError(Array(#"{"user": "x", "items": [\#(ids)]}"#.utf8))
        defer { try? FileManager.default.removeItem(at: second) }
        #expect(itemsError?.description.contains("in.jsonl:2: \(HistoryFile.maximumItemsPerLine + 1) items; at most \(HistoryFile.maximumItemsPerLine)") == true,
                "\(String(describing: itemsError))")
        // At the limit is fine.
        let atLimit = (1...HistoryFile.maximumItemsPerLine).map(String.init).joined(separator: ",")
        let (none, third) = try readError(Array(#"{"user": "x", "items": [\#(atLimit)]}"#.utf8))
        defer { try? FileManager.default.removeItem(at: third) }
        #expect(none == nil)
    }

    @Test func validUTF8IdsAreKeptAsWritten() throws {
        let directory = try Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.jsonl")
        try Data(#"{"user": "zoë", "items": ["电影", "🎬", 0]}"#.utf8).write(to: input)
        #expect(try HistoryFile.read(input) == [RecommendationRequest(user: "zoë", history: ["电影", "🎬", "0"], profile: [:])])
        // A byte-order mark before the first line is skipped (as in CSV input); one anywhere else is an error.
        try Data([0xEF, 0xBB, 0xBF] + Array(#"{"user": "u", "items": ["a"]}"#.utf8)).write(to: input)
        #expect(try HistoryFile.read(input) == [RecommendationRequest(user: "u", history: ["a"], profile: [:])])
        try Data(Array(#"{"user": "u", "items": ["a"]}"#.utf8) + [0x0A, 0xEF, 0xBB, 0xBF] + Array(#"{"user": "v", "items": []}"#.utf8)).write(to: input)
        #expect(throws: RecommendError.self) { try HistoryFile.read(input) }
    }

    @Test func invalidUTF8LeavesNoOutput() throws {
        let directory = try Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.jsonl")
        try Data(Self.line(#"{"user": "x", "items": [""#, [0x80], #""]}"#)).write(to: input)
        #expect(throws: RecommendError.self) {
            try BatchRecommendation.recommendFile(try Fixture.recommender(), input: input,
                                                  output: directory.appendingPathComponent("out.jsonl"), top: 5)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["in.jsonl"])
    }
}
