/// Why an input file could not be read; each case names the file, and the line and column where they apply.
public enum DataReadError: Error, CustomStringConvertible, Equatable, Sendable {
    case cannotOpen(file: String, reason: String)
    case emptyFile(file: String)
    case missingHeader(file: String, expected: [String], found: [String])
    case missingColumn(file: String, column: String, header: [String])
    case duplicateColumn(file: String, column: String)
    case wrongFieldCount(file: String, line: Int, expected: Int, found: Int)
    case emptyField(file: String, line: Int, column: Int, name: String)
    case notANumber(file: String, line: Int, column: Int, name: String, text: String)
    /// A timestamp beyond 2^53, where doubles (the dataset's timestamps) no longer hold every integer.
    case impreciseTimestamp(file: String, line: Int, column: Int, name: String, text: String)
    case invalidUTF8(file: String, line: Int, column: Int, name: String)
    case newlineInField(file: String, line: Int, column: Int, name: String)
    case unterminatedQuote(file: String, line: Int)
    case textAfterClosingQuote(file: String, line: Int, column: Int)
    case duplicateId(file: String, line: Int, id: String, firstLine: Int)

    /// The kind of bad row, for `--skip-invalid` counts; nil for errors that concern the whole file.
    public var invalidRowKind: InvalidRowKind? {
        switch self {
        case .wrongFieldCount: return .wrongFieldCount
        case .emptyField: return .emptyField
        case .notANumber, .impreciseTimestamp: return .notANumber
        case .invalidUTF8: return .invalidUTF8
        case .newlineInField: return .newlineInField
        case .textAfterClosingQuote: return .badQuote
        case .duplicateId: return .duplicateId
        case .cannotOpen, .emptyFile, .missingHeader, .missingColumn, .duplicateColumn, .unterminatedQuote: return nil
        }
    }

    /// The line this error points at, if any.
    public var line: Int? {
        switch self {
        case .wrongFieldCount(_, let line, _, _), .emptyField(_, let line, _, _), .notANumber(_, let line, _, _, _), .impreciseTimestamp(_, let line, _, _, _),
            .invalidUTF8(_, let line, _, _), .newlineInField(_, let line, _, _), .unterminatedQuote(_, let line),
            .textAfterClosingQuote(_, let line, _), .duplicateId(_, let line, _, _):
            return line
        case .missingHeader: return 1
        case .cannotOpen, .emptyFile, .missingColumn, .duplicateColumn: return nil
        }
    }

    /// The same error with its line number moved by `offset` (chunks of a file are parsed with local line numbers).
    func shiftingLines(by offset: Int) -> DataReadError {
        guard offset != 0 else { return self }
        switch self {
        case .wrongFieldCount(let f, let l, let e, let n): return .wrongFieldCount(file: f, line: l + offset, expected: e, found: n)
        case .emptyField(let f, let l, let c, let n): return .emptyField(file: f, line: l + offset, column: c, name: n)
        case .notANumber(let f, let l, let c, let n, let t): return .notANumber(file: f, line: l + offset, column: c, name: n, text: t)
        case .impreciseTimestamp(let f, let l, let c, let n, let t):
            return .impreciseTimestamp(file: f, line: l + offset, column: c, name: n, text: t)
        case .invalidUTF8(let f, let l, let c, let n): return .invalidUTF8(file: f, line: l + offset, column: c, name: n)
        case .newlineInField(let f, let l, let c, let n): return .newlineInField(file: f, line: l + offset, column: c, name: n)
        case .unterminatedQuote(let f, let l): return .unterminatedQuote(file: f, line: l + offset)
        case .textAfterClosingQuote(let f, let l, let c): return .textAfterClosingQuote(file: f, line: l + offset, column: c)
        case .duplicateId(let f, let l, let i, let first): return .duplicateId(file: f, line: l + offset, id: i, firstLine: first)
        default: return self
        }
    }

    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason):
            return "\(file): cannot open: \(reason)"
        case .emptyFile(let file):
            return "\(file): the file is empty; expected a header line and data rows"
        case .missingHeader(let file, let expected, let found):
            return "\(file):1: missing header: expected a first line naming the columns \(expected.joined(separator: ", ")), "
                + "found \(found.map { "'\($0)'" }.joined(separator: ", "))"
        case .missingColumn(let file, let column, let header):
            return "\(file):1: no column '\(column)' in the header (columns: \(header.joined(separator: ", ")))"
        case .duplicateColumn(let file, let column):
            return "\(file):1: column '\(column)' appears twice in the header"
        case .wrongFieldCount(let file, let line, let expected, let found):
            return "\(file):\(line): expected \(expected) fields as in the header, found \(found)"
        case .emptyField(let file, let line, let column, let name):
            return "\(file):\(line): column \(column) (\(name)): empty value"
        case .notANumber(let file, let line, let column, let name, let text):
            return "\(file):\(line): column \(column) (\(name)): not a number: '\(text)'"
        case .impreciseTimestamp(let file, let line, let column, let name, let text):
            return "\(file):\(line): column \(column) (\(name)): the timestamp \(text) is beyond 2^53, where timestamps "
                + "(kept as doubles) would lose their order; give them in seconds, milliseconds or microseconds"
        case .invalidUTF8(let file, let line, let column, let name):
            return "\(file):\(line): column \(column) (\(name)): invalid UTF-8"
        case .newlineInField(let file, let line, let column, let name):
            return "\(file):\(line): column \(column) (\(name)): an id may not contain a line break"
        case .unterminatedQuote(let file, let line):
            return "\(file):\(line): a quoted field opened here is never closed"
        case .textAfterClosingQuote(let file, let line, let column):
            return "\(file):\(line): column \(column): text after the closing quote of a quoted field"
        case .duplicateId(let file, let line, let id, let firstLine):
            return "\(file):\(line): id '\(id)' already appeared on line \(firstLine)"
        }
    }
}

/// Kinds of malformed rows that `--skip-invalid` may drop, counted separately in the report.
public enum InvalidRowKind: String, Codable, CaseIterable, Sendable, Comparable {
    case wrongFieldCount, emptyField, notANumber, invalidUTF8, newlineInField, badQuote, duplicateId

    public static func < (lhs: InvalidRowKind, rhs: InvalidRowKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
