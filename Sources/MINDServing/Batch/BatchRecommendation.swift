import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDModels
#if canImport(Glibc)
import Glibc
#endif

/// Batch mode of `mind recommend`: JSONL histories in, JSONL recommendations out, through a `Recommender`.
public enum BatchRecommendation {
    /// Requests per `Recommender` call: bounds memory, and each call spreads its users over the threads.
    public static let requestsPerCall = 512

    /// Reads `input`, writes one `Recommendation` line per request to a temporary file renamed to `output`
    /// (nothing is left behind on failure). Returns (users, unknown items skipped, seconds).
    @discardableResult
    public static func recommendFile(
        _ recommender: Recommender, input: URL, output: URL, top: Int
    ) throws -> (users: Int, unknownItems: Int, seconds: Double) {
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
            for chunkStart in stride(from: 0, to: requests.count, by: requestsPerCall) {
                let chunk = Array(requests[chunkStart..<min(chunkStart + requestsPerCall, requests.count)])
                var text = Data()
                for result in recommender.recommend(chunk, count: top) {
                    unknown += result.unknownItems
                    text.append(try encoder.encode(result))
                    text.append(0x0A)
                }
                try handle.write(contentsOf: text)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error is RecommendError ? error : RecommendError.cannotWrite(output.path)
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

    public static func read(_ url: URL) throws -> [RecommendationRequest] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw RecommendError.cannotRead(url.path) }
        var requests: [RecommendationRequest] = []
        var lineNumber = 0
        let decoder = JSONDecoder()
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                let parsed = try decoder.decode(Line.self, from: Data(trimmed))
                requests.append(RecommendationRequest(
                    user: parsed.user.text, history: parsed.items.map(\.text),
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
