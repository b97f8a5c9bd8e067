import Foundation
import MINDCore

/// An entity file (items or users): one row per id, every other column kept as text.
public struct AttributeTable: Sendable {
    /// One column of text values, one per row.
    public struct Column: Sendable {
        public var name: String
        /// RecBole type when the file declares one; nil for CSV/TSV.
        public var type: ColumnType?
        public var values: [String]

        public init(name: String, type: ColumnType? = nil, values: [String]) {
            self.name = name
            self.type = type
            self.values = values
        }
    }

    /// Whether the file came with RecBole typed headers (token_seq is then space-separated, not `|`-separated).
    public var isRecBole: Bool
    public var ids: [String]
    public var columns: [Column]
    /// Rows skipped as malformed (only with `skipInvalid`), by kind.
    public var invalidRows: [InvalidRowKind: Int]

    public init(ids: [String], columns: [Column], isRecBole: Bool = false, invalidRows: [InvalidRowKind: Int] = [:]) {
        precondition(columns.allSatisfy { $0.values.count == ids.count }, "Every column needs one value per id.")
        self.ids = ids
        self.columns = columns
        self.isRecBole = isRecBole
        self.invalidRows = invalidRows
    }

    /// Row of each id, by bytes (ids are distinct as bytes, see `ExactString`).
    func rowsByID() -> [ExactString: Int] {
        var rows: [ExactString: Int] = [:]
        rows.reserveCapacity(ids.count)
        for (row, id) in ids.enumerated() { rows[ExactString(id)] = row }
        return rows
    }
}

/// Reads items and users files (CSV, TSV, RecBole `.item` / `.user`).
public enum AttributeReader {
    /// Reads `url`, whose id column is `idColumn`; a repeated id is an error (or skipped with `skipInvalid`).
    public static func read(_ url: URL, idColumn: String, skipInvalid: Bool = false, format: TableFormat? = nil) throws -> AttributeTable {
        let file = try DelimitedFile(url: url, format: format)
        try file.requireHeader(naming: [idColumn])
        let idIndex = try file.columnIndex(idColumn)
        let fieldCount = file.columns.count
        let path = file.path
        let scanner = RecordScanner(
            bytes: file.mapped.bytes, range: file.dataStart..<file.mapped.bytes.count, file: path, format: file.format,
            expectedFields: fieldCount)
        var ids: [String] = []
        var firstLine: [ExactString: Int] = [:]  // by bytes, as the interactions' ids are (see ExactString)
        var values = [[String]](repeating: [], count: fieldCount)
        var invalidRows: [InvalidRowKind: Int] = [:]
        let lineOffset = file.dataStartLine - 1
        let failure = scanner.forEachRecord(expectedFields: fieldCount, skipInvalid: skipInvalid, invalidRows: &invalidRows) { line in
            for column in 0..<fieldCount where !FieldParsing.isValidUTF8(scanner.field(column)) {
                return .invalidUTF8(file: path, line: line, column: column + 1, name: file.columns[column].name)
            }
            let idField = scanner.field(idIndex)
            if idField.count == 0 { return .emptyField(file: path, line: line, column: idIndex + 1, name: idColumn) }
            if FieldParsing.containsLineBreak(idField) { return .newlineInField(file: path, line: line, column: idIndex + 1, name: idColumn) }
            let id = scanner.fieldString(idIndex)
            if let first = firstLine[ExactString(id)] { return .duplicateId(file: path, line: line, id: id, firstLine: first + lineOffset) }
            firstLine[ExactString(id)] = line
            ids.append(id)
            for column in 0..<fieldCount where column != idIndex {
                values[column].append(scanner.fieldString(column))
            }
            return nil
        }
        if let failure { throw failure.shiftingLines(by: lineOffset) }
        let columns = (0..<fieldCount).filter { $0 != idIndex }.map { column in
            AttributeTable.Column(name: file.columns[column].name, type: file.columns[column].type, values: values[column])
        }
        return AttributeTable(
            ids: ids, columns: columns, isRecBole: file.columns.contains { $0.type != nil }, invalidRows: invalidRows)
    }
}
