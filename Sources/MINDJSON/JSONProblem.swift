/// The words for a document that does not fit the type it is read into, shared by every reader of JSON input: the
/// field as a JSON path, then what `StrictJSON.decode` says is wrong and where (`"n" must be a whole number, not
/// the number 3.5 (column 22)`).
public enum JSONProblem {
    /// `keys` as a JSON path: `events[2].item`; empty for the document itself.
    public static func path(_ keys: [any CodingKey]) -> String {
        path(components: keys.map { $0.intValue.map { "[\($0)]" } ?? ".\(abbreviated($0.stringValue))" })
    }

    /// `text` for a message: whole when short, else its start and its length, so a message about a key of a
    /// megabyte is not a megabyte.
    public static func abbreviated(_ text: String, limit: Int = 64) -> String {
        guard text.utf8.count > limit else { return text }
        return "\(text.prefix(limit / 2))...(\(text.utf8.count) bytes)"
    }

    /// Components (`.name`, `[3]`) as a JSON path; a deep one keeps its first and last few levels, so a message
    /// about a document nested a hundred levels stays one line.
    static func path(components: [String]) -> String {
        let kept = 6
        let text = components.count <= 2 * kept + 1 ? components.joined()
            : components.prefix(kept).joined() + "...(\(components.count - 2 * kept) levels)..." + components.suffix(kept).joined()
        return text.hasPrefix(".") ? String(text.dropFirst()) : text
    }

    /// A decoding error in words: which field (as a JSON path), what was wrong, where.
    public static func describe(_ error: DecodingError) -> String {
        let (field, reason) = parts(error)
        return field.isEmpty ? reason : "\"\(field)\" \(reason)"
    }

    /// A decoding error as (the field as a JSON path, empty for the document; what is wrong with it).
    public static func parts(_ error: DecodingError) -> (field: String, reason: String) {
        switch error {
        case .keyNotFound(let key, let context):
            // `StrictJSON.decode` says which object lacks the field; a type's own decoding code may not.
            let place = context.debugDescription.hasPrefix("in the object at") ? " (\(context.debugDescription))" : ""
            return (path(context.codingPath + [key]), "is missing\(place)")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let reason = context.debugDescription.hasPrefix("must") ? context.debugDescription : "has the wrong type"
            return (path(context.codingPath), context.codingPath.isEmpty ? "the document \(reason)" : reason)
        case .dataCorrupted(let context):
            return (path(context.codingPath), context.debugDescription)
        @unknown default:
            return ("", "\(error)")
        }
    }

    /// `T` decoded from `json` by `StrictJSON.decode`; a failure becomes `refusal(reason)`, the reason
    /// `describe`d for a decoding error and the error's own words for a syntax error or one thrown by a type's
    /// validation while decoding.
    public static func decode<T: Decodable, Refusal: Error>(
        _ type: T.Type, from json: some Collection<UInt8>, refusal: (String) -> Refusal
    ) throws -> T {
        do {
            return try StrictJSON.decode(T.self, from: json)
        } catch let error as DecodingError {
            throw refusal(describe(error))
        } catch {
            throw refusal("\(error)")
        }
    }
}
