import ArgumentParser
import Foundation
import MINDCore
import MINDJSON
import MINDServing

/// `mind bench json`: answers written by `JSONEncoder` against `JSONWriter`, and requests read by Foundation's
/// `JSONDecoder` against `StrictJSON.decode`, on the same values in the same run.
struct JSONBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: """
            Time writing top-N answers as JSON (Foundation's JSONEncoder against mind's JSONWriter, same bytes) and reading \
            recommend requests (Foundation's JSONDecoder, with and without the strict check, against StrictJSON.decode).
            """)

    @Option(help: "Items per answer.") var top: Int = 1000
    @Option(help: "Answers per timed call.") var answers: Int = 100
    @Option(help: "Catalogue size the item ids are drawn from (MovieLens-1M: 3706).") var items: Int = 3706
    @Option(help: "Items in the history of each request read.") var history: Int = 50

    func validate() throws {
        guard (1...100_000).contains(top), (1...10_000).contains(answers), (1...10_000_000).contains(items),
              (1...10_000).contains(history) else {
            throw ValidationError("--top, --answers, --items and --history must be positive (at most 100000, 10000, 10000000, 10000)")
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
        try benchReading(&generator)
    }

    /// The body of `POST /v1/recommend` as the serving benchmark sends it.
    struct RecommendBody: Decodable, Equatable {
        var history: [HistoryFile.Identifier]
        var n: Int

        static func == (a: Self, b: Self) -> Bool { a.n == b.n && a.history.map(\.text) == b.history.map(\.text) }
    }

    /// Reads `answers` request bodies per timed call with each decoder; all three must read the same values.
    func benchReading(_ generator: inout SeededGenerator) throws {
        let bodies = (0..<answers).map { _ in
            let ids = (0..<history).map { _ in "\"\(Int.random(in: 1...items, using: &generator))\"" }
            return Data("{\"history\": [\(ids.joined(separator: ", "))], \"n\": \(top)}".utf8)
        }
        let readers: [(String, (Data) throws -> RecommendBody)] = [
            ("JSONDecoder", { try JSONDecoder().decode(RecommendBody.self, from: $0) }),
            ("StrictJSON.check + JSONDecoder", { try StrictJSON.check($0); return try JSONDecoder().decode(RecommendBody.self, from: $0) }),
            ("StrictJSON.decode", { try StrictJSON.decode(RecommendBody.self, from: $0) }),
        ]
        let expected = try bodies.map(readers[0].1)
        for (name, read) in readers {
            guard try bodies.map(read) == expected else { throw ValidationError("\(name) read the requests differently") }
            let seconds = secondsPerCall(minimumSeconds: 1) { for body in bodies { _ = try! read(body) } }
            printJSON([
                "bench": "json-read", "reader": name, "history": history, "requests_per_call": answers,
                "requests_per_second": Double(answers) / seconds, "microseconds_per_request": seconds / Double(answers) * 1e6,
                "bytes_per_request": bodies.reduce(0) { $0 + $1.count } / answers,
            ])
        }
    }
}
