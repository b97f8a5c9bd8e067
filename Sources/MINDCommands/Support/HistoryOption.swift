import ArgumentParser
import Foundation
import MINDData
import MINDJSON
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
        return try StrictJSON.decode([HistoryFile.Identifier].self, from: trimmed.utf8).map(\.text)
    } catch let error as JSONSyntaxError {
        throw ValidationError("--history starts with '[' but is \(error)")
    } catch let error as DecodingError {
        // "[2]" must be a string or an integer, not null (column 9); the document itself: not an array.
        let (field, reason) = JSONProblem.parts(error)
        throw ValidationError(field.isEmpty ? "--history starts with '[' but \(reason)" : "--history\(field) \(reason)")
    } catch {
        throw ValidationError("--history starts with '[' but is not a JSON array of ids: give [\"a, b\", \"c\"] or a,c")
    }
}
