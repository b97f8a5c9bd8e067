import Foundation
import PostgresNIO

/// What went wrong talking to PostgreSQL: each case names the URL (password hidden), table or value at fault.
public enum PGVectorError: Error, CustomStringConvertible, Equatable {
    /// The database URL cannot be used; `reason` says which part is wrong.
    case invalidURL(String, reason: String)
    /// The table name is not a plain SQL identifier.
    case invalidTableName(String)
    /// A build or search setting is out of range.
    case invalidSetting(String)
    /// The items cannot be written (ids and rows differ in number, a value is not finite, ...).
    case invalidItems(String)
    /// No connection could be opened.
    case connectionFailed(url: String, reason: String)
    /// `CREATE EXTENSION vector` failed: pgvector is not installed on the server, or the user may not create it.
    case extensionUnavailable(url: String, reason: String)
    /// The table does not exist.
    case tableMissing(table: String, url: String)
    /// The table exists but is not one `PGVectorStore` wrote.
    case notAnItemTable(table: String, reason: String)
    /// The table's vectors and the model's have different lengths.
    case dimensionMismatch(table: String, expected: Int, found: Int)
    /// The table and the model have different numbers of items.
    case itemCountMismatch(table: String, expected: Int, found: Int)
    /// A statement failed on the server or the connection broke.
    case queryFailed(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidURL(url, reason):
            return "invalid database URL '\(url)': \(reason) (expected postgres://user:password@host:port/database)"
        case let .invalidTableName(name):
            return "invalid table name '\(name)': use 1-48 letters, digits or underscores, not starting with a digit"
        case let .invalidSetting(message):
            return message
        case let .invalidItems(message):
            return message
        case let .connectionFailed(url, reason):
            return "cannot connect to \(url): \(reason)"
        case let .extensionUnavailable(url, reason):
            return "cannot enable pgvector on \(url) (CREATE EXTENSION vector): \(reason)"
        case let .tableMissing(table, url):
            return "table '\(table)' does not exist in \(url); write it first with 'mind pgvector-export'"
        case let .notAnItemTable(table, reason):
            return "table '\(table)' is not an item table written by mind: \(reason)"
        case let .dimensionMismatch(table, expected, found):
            return "dimension mismatch: table '\(table)' holds vectors of dimension \(found) but the model's have \(expected)"
        case let .itemCountMismatch(table, expected, found):
            return "item count mismatch: table '\(table)' holds \(found) items but the model has \(expected)"
        case let .queryFailed(operation, reason):
            return "\(operation) failed: \(reason)"
        }
    }

    /// A readable reason for a postgres-nio or NIO error (PSQLError's own description hides the server's message).
    static func reason(_ error: Error) -> String {
        if let pgError = error as? PSQLError {
            if let message = pgError.serverInfo?[.message] {
                let state = pgError.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = pgError.underlying { return String(describing: underlying) }
            return String(describing: pgError.code)
        }
        if let known = error as? PGVectorError { return known.description }
        return String(describing: error)
    }
}
