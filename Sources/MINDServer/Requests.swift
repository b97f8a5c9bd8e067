import Foundation
import Hummingbird
import MINDData
import MINDJSON
import MINDServing
import NIOCore

/// The bodies the service reads, decoded strictly: unknown or repeated fields, wrong types and out-of-range values
/// are refused with a message naming the JSON path, so a typo ("histroy") is an error and not a silently different
/// request.
enum Requests {
    typealias Identifier = HistoryFile.Identifier

    /// `POST /v1/recommend`.
    struct Recommend: Decodable {
        var user: Identifier?
        var history: [Identifier]?
        var profile: [String: Identifier]?
        var n: Int?
        var exclude: [Identifier]?

        enum CodingKeys: String, CodingKey, CaseIterable { case user, history, profile, n, exclude }

        init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            user = try container.decodeIfPresent(Identifier.self, forKey: .user)
            history = try container.decodeIfPresent([Identifier].self, forKey: .history)
            profile = try container.decodeIfPresent([String: Identifier].self, forKey: .profile)
            n = try container.decodeIfPresent(Int.self, forKey: .n)
            exclude = try container.decodeIfPresent([Identifier].self, forKey: .exclude)
        }
    }

    /// One event of `POST /v1/events`.
    struct Event: Decodable {
        var user: Identifier
        var item: Identifier
        var timestamp: Int64?

        enum CodingKeys: String, CodingKey, CaseIterable { case user, item, timestamp }

        init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            user = try container.decode(Identifier.self, forKey: .user)
            item = try container.decode(Identifier.self, forKey: .item)
            timestamp = try container.decodeIfPresent(Int64.self, forKey: .timestamp)
        }
    }

    /// `POST /v1/events`: one event, or `{"events": [...]}`.
    struct Events: Decodable {
        var events: [Event]
        /// Whether the body was the batch form (error paths then start with `events[i]`).
        var batch: Bool

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            if container.contains(AnyKey("events")) {
                try rejectUnknownKeys(decoder, known: ["events"])
                events = try container.decode([Event].self, forKey: AnyKey("events"))
                batch = true
            } else {
                events = [try Event(from: decoder)]
                batch = false
            }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func rejectUnknownKeys(_ decoder: Decoder, known: [String]) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [unknown],
                debugDescription: "unknown field (expected one of: \(known.joined(separator: ", ")))"))
        }
    }

    /// The body of `request` (at most `limit` bytes) decoded as `T`; every failure is a 4xx naming the place.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        var request = request
        // Refused from the headers, before a byte of the body is read.
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError(.contentTooLarge, "the request body (\(length) bytes) is larger than the service accepts (\(limit))")
        }
        if let encoding = request.headers[.contentEncoding], encoding.lowercased() != "identity" {
            throw APIError(.unsupportedMediaType, "Content-Encoding \(JSONProblem.abbreviated(encoding)) is not read; send the JSON uncompressed")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as NIOTooManyBytesError {
            throw error
        } catch {
            // Broken chunked framing, a transfer coding HTTP/1.1 does not know, a client gone mid-body: the
            // request's fault, not the service's.
            throw APIError.badRequest("the request body could not be read: \(error)")
        }
        let bytes = Data(buffer.readableBytesView)
        if bytes.isEmpty { throw APIError.badRequest("the request has no body; send a JSON object") }
        if let column = HistoryFile.firstInvalidUTF8(bytes[...]) {
            throw APIError.badRequest("the body is not valid UTF-8 (byte \(column))")
        }
        return try JSONProblem.decode(T.self, from: bytes) { APIError.badRequest($0) }
    }
}

/// Checks shared by the routes: ids within the limits, counts in range.
enum Validate {
    static func id(_ text: String, at path: String) throws -> String {
        if text.isEmpty { throw APIError.badRequest("\"\(path)\" is an empty string") }
        if text.utf8.count > EventLimits.maximumIdBytes {
            throw APIError.badRequest("\"\(path)\" is \(text.utf8.count) bytes long; ids have at most \(EventLimits.maximumIdBytes)")
        }
        return text
    }

    static func ids(_ values: [HistoryFile.Identifier], at path: String, limit: Int) throws -> [String] {
        guard values.count <= limit else {
            throw APIError.badRequest("\"\(path)\" has \(values.count) ids; at most \(limit) are accepted")
        }
        return try values.enumerated().map { try id($1.text, at: "\(path)[\($0)]") }
    }

    /// Every id of `ids` must be an item of the model.
    static func known(_ ids: [String], at path: String, in engine: Recommender) throws {
        for (i, id) in ids.enumerated() where engine.itemVocabulary.index(of: id) == nil {
            throw APIError.unprocessable("\"\(path)[\(i)]\": item \"\(id)\" is not in the model's catalogue")
        }
    }
}
