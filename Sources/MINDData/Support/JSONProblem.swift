import Foundation

/// The words for a failed `JSONDecoder` that every reader of JSON input shares: the field as a JSON path, and what
/// is wrong with a document when the decoder names no field.
///
/// Foundation's decoder (swift-corelibs, Linux) reports two different problems as "The given data was not valid
/// JSON." with an empty coding path: a document that is not JSON (a brace missing, a stray one) and a number that
/// does not fit the type it is read into (3.5 or 1e20 for an `Int`). `StrictJSON` tells them apart, and for the
/// first says where the syntax breaks.
public enum JSONProblem {
    /// `keys` as a JSON path: `events[2].item`; empty for the document itself.
    public static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
            .joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    /// A decoding error of `json` in words: which field (as a JSON path), what was wrong.
    public static func describe(_ error: DecodingError, in json: Data) -> String {
        switch error {
        case .keyNotFound(let key, let context): return "missing \"\(path(context.codingPath + [key]))\""
        case .typeMismatch(let type, let context) where context.codingPath.isEmpty:
            return "\(type)".hasPrefix("Array") ? "not a JSON array" : "not a JSON object"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let reason = context.debugDescription.hasPrefix("must") ? context.debugDescription : "has the wrong type"
            return "\"\(path(context.codingPath))\" \(reason)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? document(json) : "\"\(path(context.codingPath))\": \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// `T` decoded from `json`, which must pass `StrictJSON` first; a failure becomes `refusal(reason)`, the reason
    /// `describe`d for a decoding error and the error's own words for a syntax error or one thrown by a type's
    /// validation while decoding.
    public static func decode<T: Decodable, Refusal: Error>(
        _ type: T.Type, from json: Data, refusal: (String) -> Refusal
    ) throws -> T {
        do {
            try StrictJSON.check(json)
            return try JSONDecoder().decode(T.self, from: json)
        } catch let error as DecodingError {
            throw refusal(describe(error, in: json))
        } catch {
            throw refusal("\(error)")
        }
    }

    /// What is wrong with `json` when the decoder failed on it without naming a field.
    public static func document(_ json: Data) -> String {
        do {
            try StrictJSON.check(json)
        } catch {
            return error.description
        }
        return "a number does not fit its field (a fraction where a whole number belongs, or too large)"
    }
}

extension KeyedDecodingContainer {
    /// A whole-number field, or nil when absent or null; a fraction or an out-of-range number is a type error naming
    /// the field (Foundation's own error for those names no field at all, see `JSONProblem`).
    public func decodeWholeNumberIfPresent<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        if let value = try? decodeIfPresent(T.self, forKey: key) { return value }
        if let number = try? decodeIfPresent(Double.self, forKey: key) {
            let problem = number.rounded() == number ? "within \(T.min)...\(T.max)" : "a whole number"
            throw DecodingError.typeMismatch(T.self, .init(
                codingPath: codingPath + [key], debugDescription: "must be \(problem), not \(number)"))
        }
        return try decodeIfPresent(T.self, forKey: key)  // not a number: the decoder's own error, with the field
    }
}
