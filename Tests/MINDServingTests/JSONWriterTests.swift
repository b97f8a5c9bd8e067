import Foundation
import MINDCore
import Testing
@testable import MINDServing

@Suite("JSON writer")
struct JSONWriterTests {
    /// The writer's bytes are JSONEncoder's (.sortedKeys) bytes, so batch files do not change with it.
    @Test func writesWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var generator = SeededGenerator(seed: 7)  // a failure names bits that the next run draws again
        let awkward = ["plain", "with \"quotes\"", "back\\slash", "a/b", "tab\there", "line\nbreak", "\u{01}\u{1F}", "é ü 中文 🙂", ""]
        var floats: [Float] = [0, -0.0, 1, -1, 0.1, 1e-7, 3.4028235e38, .leastNormalMagnitude, 123456.78, 1e10, .leastNonzeroMagnitude * 4]
        floats += (0..<500).map { _ in Float(bitPattern: UInt32.random(in: 0..<0x7F00_0000, using: &generator)) * (Bool.random(using: &generator) ? 1 : -1) }
        for start in stride(from: 0, to: floats.count, by: 50) {
            let scores = Array(floats[start..<min(start + 50, floats.count)])
            let recommendation = Recommendation(
                user: awkward[start / 50 % awkward.count], items: scores.indices.map { awkward[$0 % awkward.count] + "\($0)" },
                scores: scores, interests: scores.indices.map { $0 % 5 - 1 })
            var writer = JSONWriter()
            recommendation.writeJSON(into: &writer)
            let expected = try encoder.encode(recommendation)
            #expect(writer.bytes == Array(expected), "\(String(decoding: writer.bytes, as: UTF8.self))\n\(String(decoding: expected, as: UTF8.self))")
        }
    }

    @Test func nonFiniteScoresBecomeNull() {
        var writer = JSONWriter()
        writer.array([Float.nan, .infinity, 2]) { $0.number($1) }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[null,null,2]")
    }
}

@Suite("Serving answer JSON")
struct ServingAnswerJSONTests {
    /// The serving path (ids copied from literals written at load) writes what the batch path writes.
    @Test func literalIDsWriteTheSameBytesAsTheRecommendation() throws {
        let engine = try Fixture.recommender()
        let history = Fixture.ids([3, 17, 42, 8])
        let recommendation = engine.recommend(history: history, count: 50)
        let known = engine.itemIndices(history).known
        let ranked = engine.retrieve(histories: [known], count: 50, exclude: [known])[0]
        var viaLiterals = JSONWriter(), viaStrings = JSONWriter()
        engine.writeJSON(user: "", ranked: ranked, into: &viaLiterals)
        recommendation.writeJSON(into: &viaStrings)
        #expect(viaLiterals.bytes == viaStrings.bytes)
        let literals = JSONLiterals(["a\"b", "c/d", ""])
        var writer = JSONWriter()
        writer.array(0..<3) { literals.write($1, into: &$0) }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"["a\"b","c\/d",""]"#)
    }
}
