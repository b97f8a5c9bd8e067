import ArgumentParser
import Foundation
import MINDCore
import MINDServing

/// `mind bench json`: answers written by `JSONEncoder` against `JSONWriter`, on the same values in the same run.
struct JSONBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Time writing top-N answers as JSON: Foundation's JSONEncoder against mind's JSONWriter (same bytes).")

    @Option(help: "Items per answer.") var top: Int = 1000
    @Option(help: "Answers per timed call.") var answers: Int = 100
    @Option(help: "Catalogue size the item ids are drawn from (MovieLens-1M: 3706).") var items: Int = 3706

    func validate() throws {
        guard (1...100_000).contains(top), (1...10_000).contains(answers), (1...10_000_000).contains(items) else {
            throw ValidationError("--top, --answers and --items must be positive (at most 100000, 10000, 10000000)")
        }
    }

    func run() throws {
        var generator = SeededGenerator(seed: 7)
        // Answers shaped like MovieLens ones: numeric string ids, scores of a trained model, K = 4 interests.
        let values = (0..<answers).map { user in
            Recommendation(
                user: String(user), items: (0..<top).map { _ in String(Int.random(in: 1...items, using: &generator)) },
                scores: (0..<top).map { _ in Float.random(in: -2...9, using: &generator) },
                interests: (0..<top).map { _ in Int.random(in: 0..<4, using: &generator) })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var encoded = Data()
        var written: [UInt8] = []
        let encoderSeconds = secondsPerCall(minimumSeconds: 1) {
            encoded = Data()
            for value in values {
                encoded.append(try! encoder.encode(value))
                encoded.append(0x0A)
            }
        }
        let writerSeconds = secondsPerCall(minimumSeconds: 1) {
            var writer = JSONWriter(capacity: answers * (top * 24 + 64))
            for value in values {
                value.writeJSON(into: &writer)
                writer.newline()
            }
            written = writer.bytes
        }
        guard written == Array(encoded) else { throw ValidationError("JSONWriter and JSONEncoder wrote different bytes") }
        for (name, seconds) in [("JSONEncoder", encoderSeconds), ("JSONWriter", writerSeconds)] {
            printJSON([
                "bench": "json", "writer": name, "top": top, "answers_per_call": answers,
                "answers_per_second": Double(answers) / seconds, "megabytes_per_second": Double(written.count) / seconds / 1e6,
                "bytes_per_answer": written.count / answers,
            ])
        }
    }
}
