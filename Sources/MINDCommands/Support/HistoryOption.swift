import ArgumentParser
import Foundation

/// The `--history` of `recommend` and `explain`: item ids oldest first, either comma-separated (`1,2,3`) or, for
/// ids that hold commas or surrounding spaces, a JSON array of strings or whole numbers (`["Heat, 1995", 3]`).
/// A value starting with `[` is read as JSON; anything else in the array is a usage error naming its position.
func parseHistory(_ text: String) throws -> [String] {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard trimmed.hasPrefix("[") else {
        return trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    guard let elements = try? JSONDecoder().decode([HistoryElement].self, from: Data(trimmed.utf8)) else {
        throw ValidationError("--history starts with '[' but is not a JSON array: give [\"a, b\", \"c\"] or a,c")
    }
    return try elements.enumerated().map { position, element in
        guard let id = element.id else {
            throw ValidationError("--history[\(position)] is not an item id (a string or a whole number)")
        }
        return id
    }
}

/// One element of a JSON `--history`: an id when it is a string or a whole number (ids in files may be either),
/// nil for anything else, so the caller can name the element's position.
private struct HistoryElement: Decodable {
    var id: String?

    init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let string = try? value.decode(String.self) {
            id = string
        } else if let number = try? value.decode(Int64.self) {
            id = String(number)
        } else {
            id = nil
        }
    }
}
