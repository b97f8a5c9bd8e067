import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDModels
import MINDRetrieval
#if canImport(Glibc)
import Glibc
#endif

/// Histories in, top-N out: the shared engine of `recommend` (and later `serve`).
public struct BatchRecommender {
    public let model: RecommenderModel
    public let bundle: ModelBundle
    let index: ExactIndex
    let itemIndex: Vocabulary
    let popular: MostPopular

    public init(model: RecommenderModel, bundle: ModelBundle) {
        self.model = model
        self.bundle = bundle
        index = ExactIndex(items: model.itemMatrix())
        itemIndex = Vocabulary(ids: bundle.itemIDs)
        popular = MostPopular(counts: bundle.itemPopularity)
    }

    /// One user's request: external ids, oldest first, and an optional profile (feature name -> value).
    public struct Request: Sendable, Equatable {
        public var user: String
        public var items: [String]
        public var profile: [String: String]

        public init(user: String, items: [String], profile: [String: String] = [:]) {
            self.user = user
            self.items = items
            self.profile = profile
        }
    }

    /// One output line: items best first, their scores, and the interest that ranked each (-1: popularity fallback).
    public struct Result: Codable, Sendable, Equatable {
        public var user: String
        public var items: [String]
        public var scores: [Float]
        public var interests: [Int]
    }

    /// Recommendations for each request, and how many history items were unknown.
    public func recommend(_ requests: [Request], top: Int) -> ([Result], Int) {
        var unknown = 0
        var histories: [[Int32]] = []
        for request in requests {
            var known: [Int32] = []
            for id in request.items {
                if let index = itemIndex.index(of: id) { known.append(index) } else { unknown += 1 }
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
            let batch = encodeInParallel(withHistory.map { ArraySlice(histories[$0]) }, profiles: profiles)
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

    /// Interests of many histories, the halves encoded on the two cores. A history's interests
    /// do not depend on its batch neighbours, so the split changes nothing in the result.
    func encodeInParallel(_ histories: [ArraySlice<Int32>], profiles: [Int32]) -> InterestBatch {
        let workers = histories.count >= 64 ? 2 : 1
        if workers == 1 { return model.interestBatch(histories: histories, profiles: profiles) }
        let featureCount = profiles.count / histories.count
        var parts = [InterestBatch?](repeating: nil, count: workers)
        let previous = Parallel.maxThreads
        Parallel.maxThreads = 1
        parts.withUnsafeMutableBufferPointer { slots in
            let output = slots
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let range = (histories.count * worker / workers)..<(histories.count * (worker + 1) / workers)
                let partProfiles = featureCount == 0 ? [] : Array(profiles[(range.lowerBound * featureCount)..<(range.upperBound * featureCount)])
                output[worker] = model.interestBatch(histories: Array(histories[range]), profiles: partProfiles)
            }
        }
        Parallel.maxThreads = previous
        let pieces = parts.compactMap { $0 }
        return InterestBatch(count: histories.count, interestCount: pieces[0].interestCount, dimension: pieces[0].dimension,
                             vectors: pieces.flatMap(\.vectors), mask: pieces.flatMap(\.mask))
    }

    /// Batch mode: JSONL in, JSONL out, written to a temporary file and renamed into place.
    /// Returns (users, unknown items skipped, seconds).
    @discardableResult
    public func recommendFile(input: URL, output: URL, top: Int) throws -> (users: Int, unknownItems: Int, seconds: Double) {
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
            encoder.outputFormatting = [.sortedKeys]  // the same input gives the same bytes
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
        return (requests.count, unknown, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}

/// Reads the JSONL histories of batch mode, with line numbers in every error.
public enum HistoryFile {
    /// An id or a profile value given as a JSON string or integer.
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

    struct Line: Decodable {
        var user: Identifier
        var items: [Identifier]
        var profile: [String: Identifier]?
    }

    public static func read(_ url: URL) throws -> [BatchRecommender.Request] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw RecommendError.cannotRead(url.path) }
        var requests: [BatchRecommender.Request] = []
        var lineNumber = 0
        let decoder = JSONDecoder()
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                let parsed = try decoder.decode(Line.self, from: Data(trimmed))
                requests.append(BatchRecommender.Request(
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
public enum RecommendError: Error, CustomStringConvertible, Equatable {
    case cannotRead(String)
    case cannotWrite(String)
    case malformed(String, String)

    public var description: String {
        switch self {
        case .cannotRead(let path): return "\(path): cannot read"
        case .cannotWrite(let path): return "\(path): cannot write the output"
        case .malformed(let location, let reason): return "\(location): \(reason)"
        }
    }
}
