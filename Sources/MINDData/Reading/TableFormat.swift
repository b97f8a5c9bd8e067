import Foundation

/// How a delimited text file is laid out: its field separator, whether RFC 4180 quotes apply,
/// and whether the header carries RecBole `name:type` annotations.
public struct TableFormat: Sendable, Equatable {
    /// Field separator byte (`,` or tab).
    public var delimiter: UInt8
    /// Whether `"` opens a quoted field (CSV only; RecBole and TSV files take quotes literally).
    public var quoting: Bool

    public static let csv = TableFormat(delimiter: UInt8(ascii: ","), quoting: true)
    public static let tsv = TableFormat(delimiter: UInt8(ascii: "\t"), quoting: false)

    /// The format implied by a file's extension and, failing that, by its first line.
    static func detect(path: String, firstLine: UnsafeRawBufferPointer) -> TableFormat {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv": return .csv
        case "tsv", "tab", "inter", "item", "user", "kg", "link", "net": return .tsv
        default: return firstLine.contains(UInt8(ascii: "\t")) ? .tsv : .csv
        }
    }
}

/// A RecBole atomic-file column type (`name:type` in the header); plain CSV/TSV columns have none.
public enum ColumnType: String, Codable, Sendable {
    case token
    case tokenSequence = "token_seq"
    case float
    case floatSequence = "float_seq"
}

/// One header column: its name and, for RecBole files, its declared type.
public struct ColumnHeader: Sendable, Equatable {
    public var name: String
    public var type: ColumnType?

    /// Splits RecBole's `name:type`. A header is typed when every column has a `:suffix` and at least one
    /// suffix is a RecBole type; suffixes RecBole may add later (unknown here) leave the column untyped.
    static func parse(_ fields: [String]) -> [ColumnHeader] {
        let split = fields.map { field -> (String, String)? in
            guard let colon = field.lastIndex(of: ":") else { return nil }
            return (String(field[..<colon]), String(field[field.index(after: colon)...]))
        }
        let typed = !fields.isEmpty && split.allSatisfy { $0 != nil }
            && split.contains { ColumnType(rawValue: $0?.1 ?? "") != nil }
        guard typed else { return fields.map { ColumnHeader(name: $0, type: nil) } }
        return split.compactMap { $0 }.map { ColumnHeader(name: $0.0, type: ColumnType(rawValue: $0.1)) }
    }
}
