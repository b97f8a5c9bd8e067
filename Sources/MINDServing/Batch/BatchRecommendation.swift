import Dispatch
import Foundation
import MINDCore
import MINDData
import MINDJSON
import MINDModels

/// Batch mode of `mind recommend`: JSONL histories in, JSONL recommendations out, through a `Recommender`.
public enum BatchRecommendation {
    /// Requests per `Recommender` call: bounds memory, and each call spreads its users over the threads.
    public static let requestsPerCall = 512

    /// What a batch run did, for the command's summary and warnings.
    public struct Summary: Sendable, Equatable {
        public var users: Int
        /// History ids not in the catalogue (skipped).
        public var unknownItems: Int
        /// Profile fields the model does not read, and values it does not know (see `Recommender.unknownProfileEntries`).
        public var unknownProfileEntries: Int
        public var seconds: Double
    }

    /// Reads `input`, writes one `Recommendation` line per request to `output` through `AtomicFile` (nothing is
    /// left behind on failure).
    @discardableResult
    public static func recommendFile(_ recommender: Recommender, input: URL, output: URL, top: Int) throws -> Summary {
        let start = DispatchTime.now().uptimeNanoseconds
        let requests = try HistoryFile.read(input)
        var unknown = 0
        do {
            try AtomicFile.write(to: output) { handle in
                for chunkStart in stride(from: 0, to: requests.count, by: requestsPerCall) {
                    let chunk = Array(requests[chunkStart..<min(chunkStart + requestsPerCall, requests.count)])
                    var text = JSONWriter(capacity: chunk.count * (top * 24 + 64))
                    for result in recommender.recommend(chunk, count: top) {
                        unknown += result.unknownItems
                        result.writeJSON(into: &text)  // sorted keys: the same input gives the same bytes
                        text.newline()
                    }
                    try handle.write(contentsOf: text.bytes)
                }
            }
        } catch {
            throw error is RecommendError ? error : RecommendError.cannotWrite(output.path)
        }
        return Summary(users: requests.count, unknownItems: unknown,
                       unknownProfileEntries: requests.reduce(0) { $0 + recommender.unknownProfileEntries($1.profile) },
                       seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}

/// Reads the JSONL histories of batch mode, with line numbers in every error.
public enum HistoryFile {
    /// An id or a profile value given as a JSON string or integer (the HTTP API reads ids the same way).
    public struct Identifier: Decodable, Sendable {
        public var text: String

        public init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            // Strings first: they are the common case, and each failed attempt costs a thrown error.
            if let string = try? container.decode(String.self) {
                text = string
            } else if let number = try? container.decode(Int64.self) {
                text = String(number)
            } else {
                throw StrictJSON.mismatch(String.self, expected: "a string or an integer", in: decoder)
            }
        }
    }

    struct Line: Decodable {
        var user: Identifier
        var items: [Identifier]
        var profile: [String: Identifier]?
    }

    /// Longest accepted line: room for `maximumItemsPerLine` ids of about 100 bytes each.
    public static let maximumLineBytes = 1 << 20
    /// Most item ids in one history; the model reads only the latest few hundred, so more is a mistake upstream.
    public static let maximumItemsPerLine = 10_000
    /// Most profile entries in one line.
    public static let maximumProfileEntries = 256

    /// Reads one request per non-blank line. Every error names `file:line` (and the byte column for invalid UTF-8):
    /// not JSON, a missing or mistyped field, an empty user or item id, or a line over the limits above.
    public static func read(_ url: URL) throws -> [RecommendationRequest] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw RecommendError.cannotRead(url.path) }
        var requests: [RecommendationRequest] = []
        var lineNumber = 0
        // A leading byte-order mark (editors on Windows write one) is skipped, as the CSV reader does.
        let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        for line in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            let location = "\(url.path):\(lineNumber)"
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            guard trimmed.count <= maximumLineBytes else {
                throw RecommendError.malformed(location, "line of \(trimmed.count) bytes; at most \(maximumLineBytes) are accepted")
            }
            if let column = firstInvalidUTF8(trimmed) {
                throw RecommendError.malformed(location, "not valid UTF-8 (byte \(column) of the line)")
            }
            let parsed = try JSONProblem.decode(Line.self, from: Data(trimmed)) { RecommendError.malformed(location, $0) }
            guard !parsed.user.text.isEmpty else { throw RecommendError.malformed(location, "\"user\" is an empty string") }
            if let index = parsed.items.firstIndex(where: { $0.text.isEmpty }) {
                throw RecommendError.malformed(location, "\"items[\(index)]\" is an empty string")
            }
            guard parsed.items.count <= maximumItemsPerLine else {
                throw RecommendError.malformed(location, "\(parsed.items.count) items; at most \(maximumItemsPerLine) per history")
            }
            guard (parsed.profile?.count ?? 0) <= maximumProfileEntries else {
                throw RecommendError.malformed(location, "\(parsed.profile?.count ?? 0) profile entries; at most \(maximumProfileEntries)")
            }
            requests.append(RecommendationRequest(
                user: parsed.user.text, history: parsed.items.map(\.text), profile: (parsed.profile ?? [:]).mapValues(\.text)))
        }
        return requests
    }

    /// The 1-based byte column of the first byte that is not part of valid UTF-8, or nil when all of it is.
    public static func firstInvalidUTF8(_ bytes: Data.SubSequence) -> Int? {
        if !bytes.contains(where: { $0 >= 0x80 }) { return nil }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset + 1
            }
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
