import ArgumentParser
import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDEval
import MINDModels
import MINDNN
import MINDRetrieval

/// `mind recommend`: top-N items from histories, for one user or a JSONL batch.
struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Recommend the top N items for a stored user, a given history, or a JSONL file of histories.",
        discussion: """
            Batch mode reads lines {"user": ID, "items": [ID, ...], "profile": {"feature": "value"}} (ids as strings or
            integers, items oldest first, profile optional) and writes {"user", "items", "scores", "interests"} per line,
            best first, the history's items excluded. Unknown item ids are skipped and counted in one warning. A malformed
            line stops the run with its line number, and no output file is left behind.
            """)

    @Option(help: "Model directory written by 'mind train'.") var model: String
    @Option(help: "A user of --dataset whose stored history to use.") var user: String?
    @Option(help: "Dataset directory (for --user, and for titles).") var dataset: String?
    @Option(help: "A history as comma-separated item ids, oldest first.") var history: String?
    @Option(help: "JSONL file of histories (batch mode).") var histories: String?
    @Option(help: "Output JSONL file (batch mode).") var output: String?
    @Option(help: "How many items to recommend.") var top: Int = 10

    func validate() throws {
        let modes = [user != nil, history != nil, histories != nil].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give exactly one of --user, --history, --histories") }
        if user != nil && dataset == nil { throw ValidationError("--user needs --dataset to find the user's history") }
        if histories != nil && output == nil { throw ValidationError("--histories needs --output") }
        guard top > 0 else { throw ValidationError("--top must be positive") }
    }

    func run() throws {
        do {
            let (recommender, bundle) = try ModelBundle.loadModel(from: URL(fileURLWithPath: model))
            let engine = Recommender(model: recommender, bundle: bundle)
            if let histories, let output {
                try engine.recommendFile(input: URL(fileURLWithPath: histories), output: URL(fileURLWithPath: output), top: top)
            } else {
                try recommendOne(engine)
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError.report(error)
        }
    }

    func recommendOne(_ engine: Recommender) throws {
        let data = try dataset.map { try DatasetStore.load(from: URL(fileURLWithPath: $0)) }
        var request: Recommender.Request
        if let user, let data {
            guard let index = data.users.index(of: user) else { throw ValidationError("user '\(user)' is not in \(dataset ?? "")") }
            let items = data.sequence(ofUser: Int(index)).map { data.items.ids[Int($0)] }
            var profile: [String: String] = [:]
            for (feature, value) in zip(data.userFeatures, data.profile(ofUser: Int(index))) where value != 0 {
                profile[feature.name] = feature.vocabulary[Int(value)]
            }
            request = Recommender.Request(user: user, items: items, profile: profile)
        } else {
            let items = (history ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            request = Recommender.Request(user: "", items: items, profile: [:])
        }
        let (results, unknown) = engine.recommend([request], top: top)
        if unknown > 0 { Terminal.note("warning: \(unknown) unknown item id(s) in the history were skipped") }
        let result = results[0]
        let titles = data?.itemTitles
        print("rank  item        score    interest  title")
        for (rank, entry) in result.items.enumerated() {
            var title = ""
            if let titles, let data, let index = data.items.index(of: entry) { title = titles[Int(index)] }
            print(String(format: "%4d  %-10@  %7.4f  %8d  %@", rank + 1, entry, result.scores[rank], result.interests[rank], title))
        }
    }
}

/// Histories in, top-N out: the shared engine of `recommend` (and later `serve`).
struct Recommender {
    let model: RecommenderModel
    let bundle: ModelBundle
    let index: ExactIndex
    let itemIndex: [String: Int32]
    let popular: MostPopular

    init(model: RecommenderModel, bundle: ModelBundle) {
        self.model = model
        self.bundle = bundle
        index = ExactIndex(items: model.itemMatrix())
        var lookup: [String: Int32] = [:]
        for (i, id) in bundle.itemIDs.enumerated() { lookup[id] = Int32(i) }
        itemIndex = lookup
        popular = MostPopular(counts: bundle.itemPopularity)
    }

    struct Request {
        var user: String
        var items: [String]
        var profile: [String: String]
    }

    struct Result: Encodable {
        var user: String
        var items: [String]
        var scores: [Float]
        var interests: [Int]
    }

    /// Recommendations for each request, and how many history items were unknown.
    func recommend(_ requests: [Request], top: Int) -> ([Result], Int) {
        var unknown = 0
        var histories: [[Int32]] = []
        for request in requests {
            var known: [Int32] = []
            for id in request.items {
                if let index = itemIndex[id] { known.append(index) } else { unknown += 1 }
            }
            histories.append(known)
        }
        let specs = model.schema.userFeatures
        let withHistory = histories.indices.filter { !histories[$0].isEmpty }
        var profiles: [Int32] = []
        if model.usesProfile {
            for i in withHistory { profiles += specs.map { spec in requests[i].profile[spec.name].map { spec.index(of: $0) } ?? 0 } }
        }
        var ranked = [[ScoredItem]](repeating: [], count: requests.count)
        if !withHistory.isEmpty {
            let batch = model.interestBatch(histories: withHistory.map { ArraySlice(histories[$0]) }, profiles: profiles)
            let lists = index.recommend(interests: batch, n: top, exclude: withHistory.map { histories[$0] })
            for (position, i) in withHistory.enumerated() { ranked[i] = lists[position] }
        }
        // A history with no known item gets the most popular items (interest -1).
        for i in requests.indices where histories[i].isEmpty {
            ranked[i] = popular.recommend(history: [], n: top).map { ScoredItem(item: $0.item, score: $0.score, interest: -1) }
        }
        let results = requests.indices.map { i in
            Result(user: requests[i].user, items: ranked[i].map { bundle.itemIDs[Int($0.item)] },
                   scores: ranked[i].map(\.score), interests: ranked[i].map(\.interest))
        }
        return (results, unknown)
    }

    /// Batch mode: JSONL in, JSONL out, written to a temporary file and renamed into place.
    func recommendFile(input: URL, output: URL, top: Int) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let requests = try HistoryFile.read(input)
        let temporary = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: temporary) else {
            throw RecommendError.cannotWrite(output.path)
        }
        var unknown = 0
        do {
            defer { try? handle.close() }
            let encoder = JSONEncoder()
            let chunk = 512
            for chunkStart in stride(from: 0, to: requests.count, by: chunk) {
                let (results, skipped) = recommend(Array(requests[chunkStart..<min(chunkStart + chunk, requests.count)]), top: top)
                unknown += skipped
                var text = Data()
                for result in results {
                    text.append(try encoder.encode(result))
                    text.append(0x0A)
                }
                handle.write(text)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard rename(temporary.path, output.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw RecommendError.cannotWrite(output.path)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if unknown > 0 { Terminal.note("warning: \(unknown) unknown item id(s) in the histories were skipped") }
        Terminal.note(String(format: "recommended for %d users in %.2f s (%.0f users/s) -> %@", requests.count, seconds,
                             Double(requests.count) / max(seconds, 1e-9), output.path))
    }
}

/// Reads the JSONL histories of batch mode, with line numbers in every error.
enum HistoryFile {
    /// An id given as a JSON string or integer.
    struct Identifier: Decodable {
        var text: String

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                text = String(number)
            } else if let string = try? container.decode(String.self) {
                text = string
            } else {
                throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "must be a string or an integer"))
            }
        }
    }

    /// A profile value given as a string or a number.
    struct ProfileValue: Decodable {
        var text: String

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                text = String(number)
            } else if let string = try? container.decode(String.self) {
                text = string
            } else {
                throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "must be a string or an integer"))
            }
        }
    }

    struct Line: Decodable {
        var user: Identifier
        var items: [Identifier]
        var profile: [String: ProfileValue]?
    }

    static func read(_ url: URL) throws -> [Recommender.Request] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw RecommendError.cannotRead(url.path) }
        var requests: [Recommender.Request] = []
        var lineNumber = 0
        let decoder = JSONDecoder()
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                let parsed = try decoder.decode(Line.self, from: Data(trimmed))
                requests.append(Recommender.Request(
                    user: parsed.user.text, items: parsed.items.map(\.text),
                    profile: (parsed.profile ?? [:]).mapValues(\.text)))
            } catch let error as DecodingError {
                throw RecommendError.malformed("\(url.path):\(lineNumber)", describe(error))
            }
        }
        return requests
    }

    /// A decoding error in words: which field, what was wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing \"\(path(context.codingPath + [key]))\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\"\(path(context.codingPath))\" \(context.debugDescription.hasPrefix("must") ? context.debugDescription : "has the wrong type")"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not a JSON object" : "\"\(path(context.codingPath))\": \(context.debugDescription)"
        @unknown default: return "malformed line"
        }
    }
}

/// Problems in batch recommendation.
enum RecommendError: Error, CustomStringConvertible {
    case cannotRead(String)
    case cannotWrite(String)
    case malformed(String, String)

    var description: String {
        switch self {
        case .cannotRead(let path): return "\(path): cannot read"
        case .cannotWrite(let path): return "\(path): cannot write the output"
        case .malformed(let location, let reason): return "\(location): \(reason)"
        }
    }
}
