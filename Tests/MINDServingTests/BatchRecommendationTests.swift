import Foundation
import Testing
import MINDData
@testable import MINDServing

@Suite("Batch recommendation files")
struct BatchRecommendationTests {
    @Test func batchRecommendationKeepsTheContract() throws {
        let data = Fixture.trained.data
        let engine = try Fixture.recommender()
        let directory = try Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        let history = Fixture.ids(data.evaluationCases(.test)[0].history)
        let input = directory.appendingPathComponent("in.jsonl")
        let lines = [
            #"{"user": "a", "items": \#(jsonArray(history))}"#,
            #"{"user": 17, "items": [\#(history[0]), "no-such-item", \#(history[1])]}"#,
            #"{"user": "cold", "items": ["no-such-item"], "profile": {"no-such-field": "x"}}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("out.jsonl")
        let summary = try BatchRecommendation.recommendFile(engine, input: input, output: output, top: 25)
        #expect(summary.users == 3)
        #expect(summary.unknownItems == 2)
        #expect(summary.unknownProfileEntries == 1)  // a field no model here reads
        let text = try String(contentsOf: output, encoding: .utf8)
        let results = try text.split(separator: "\n").map { try JSONDecoder().decode(Recommendation.self, from: Data($0.utf8)) }
        #expect(results.map(\.user) == ["a", "17", "cold"])
        for (result, excluded) in zip(results, [Set(history), Set(history.prefix(2)), []]) {
            #expect(result.items.count == 25)
            #expect(Set(result.items).count == 25, "no duplicates")
            #expect(Set(result.items).isDisjoint(with: excluded), "history excluded")
            #expect(result.scores == result.scores.sorted(by: >), "best first")
            #expect(result.interests.count == 25)
        }
        #expect(results[2].interests.allSatisfy { $0 == -1 }, "no known item: popularity fallback")
        #expect(text.split(separator: "\n")[0].hasPrefix(#"{"interests":["#), "sorted keys, no unknown-item count")
        // Same history, same answer, whatever the batch.
        var single = engine.recommend(history: history, count: 25)
        single.user = "a"
        #expect(single == results[0])
    }

    @Test("a malformed line fails with its line number and leaves no output", arguments: [
        (#"{"user": "x", "items": "1"}"#, "\"items\""),
        (#"{"items": ["1"]}"#, "\"user\" is missing (in the object at column 1)"),
        (#"{"user": true, "items": []}"#, "\"user\" must be a string or an integer"),
        (#"not json"#, "not valid JSON: not a value; did you mean null? (column 1)"),
        (#"{"user": "x", "items": ["1"]}}"#, "not valid JSON: text after the end of the JSON value (column 30)"),
        (#"{"user": "x", "items": ["1",]}"#, "a comma before ']' (in \"items\", column 29)"),
        (#"{"user": "x", "items": ["1"], "user": "y"}"#, "field \"user\" appears twice (column 31)"),
        (#"[1]"#, "the document must be an object, not an array (column 1)"),
        (#"{"user": "x", "items": [1.5]}"#, "\"items[0]\" must be a string or an integer"),
    ])
    func malformedLine(line: String, mentions: String) throws {
        let directory = try Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.jsonl")
        try (#"{"user": "ok", "items": ["1", 2]}"# + "\n\n" + line + "\n").write(to: input, atomically: true, encoding: .utf8)
        do {
            _ = try BatchRecommendation.recommendFile(try Fixture.recommender(), input: input,
                                                      output: directory.appendingPathComponent("out.jsonl"), top: 5)
            Issue.record("expected an error for \(line)")
        } catch let error as RecommendError {
            #expect(error.description.contains("in.jsonl:3:"), "\(error)")
            #expect(error.description.contains(mentions), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["in.jsonl"])
    }

    @Test func integerAndStringIdsAreTheSame() throws {
        let directory = try Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.jsonl")
        try (#"{"user": 7, "items": [3, "9"], "profile": {"age": 25}}"# + "\r\n").write(to: input, atomically: true, encoding: .utf8)
        let requests = try HistoryFile.read(input)
        #expect(requests == [RecommendationRequest(user: "7", history: ["3", "9"], profile: ["age": "25"])])
    }
}

private func jsonArray(_ ids: [String]) -> String {
    "[" + ids.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
}
