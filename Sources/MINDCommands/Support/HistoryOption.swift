import ArgumentParser
import Foundation
import MINDData
import MINDServing

/// The `--history` of `recommend` and `explain`: item ids oldest first, either comma-separated (`1,2,3`) or, for
/// ids that hold commas or surrounding spaces, a JSON array of strings or whole numbers (`["Heat, 1995", 3]`),
/// read like the ids of batch files and the HTTP API. Anything else in the array is a usage error naming its position.
func parseHistory(_ text: String) throws -> [String] {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard trimmed.hasPrefix("[") else {
        return trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    do {
        try StrictJSON.check(trimmed.utf8)
        return try JSONDecoder().decode([HistoryFile.Identifier].self, from: Data(trimmed.utf8)).map(\.text)
    } catch let error as JSONSyntaxError {
        throw ValidationError("--history starts with '[' but is \(error)")
    } catch let DecodingError.typeMismatch(_, context) where context.codingPath.count == 1 {
        let position = context.codingPath[0].intValue.map(String.init) ?? context.codingPath[0].stringValue
        throw ValidationError("--history[\(position)] is not an item id (a string or a whole number)")
    } catch {
        throw ValidationError("--history starts with '[' but is not a JSON array of ids: give [\"a, b\", \"c\"] or a,c")
    }
}
