import Foundation
import PostgresNIO

/// Rows, columns and vector length of an item table.
struct TableShape: Sendable, Equatable {
    var count: Int
    var dimension: Int
}

/// One connection with the few statements the store and the index need, errors turned into `PGVectorError`.
///
/// Each statement comes in an async form (the store) and a blocking form built on postgres-nio's `EventLoopFuture`
/// API and `wait()` (the index): the blocking form needs no Swift-concurrency thread, so it is safe on any thread
/// that is not one of NIO's event loops, including a task of the cooperative pool.
struct PostgresSession: Sendable {
    /// postgres-nio logs through swift-log; only errors are worth a line on stderr here.
    static let logger: Logger = {
        var logger = Logger(label: "mind.postgres")
        logger.logLevel = .error
        return logger
    }()

    let connection: PostgresConnection
    let location: PostgresLocation

    /// Opens a connection (async).
    static func connect(to location: PostgresLocation) async throws -> PostgresConnection {
        let configuration = try location.configuration()
        do {
            return try await PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: 1, logger: logger)
        } catch {
            throw PGVectorError.connectionFailed(url: location.redacted, reason: PGVectorError.reason(error))
        }
    }

    /// Opens a connection, blocking the calling thread.
    static func connectBlocking(to location: PostgresLocation) throws -> PostgresConnection {
        let configuration = try location.configuration()
        do {
            return try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.next(), configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch {
            throw PGVectorError.connectionFailed(url: location.redacted, reason: PGVectorError.reason(error))
        }
    }

    /// Runs one statement without parameters; `operation` names it in an error.
    func execute(_ sql: String, operation: String) async throws {
        _ = try await rows(PostgresQuery(unsafeSQL: sql), operation: operation)
    }

    /// Runs `query` and collects its rows.
    func rows(_ query: PostgresQuery, operation: String) async throws -> [PostgresRow] {
        do {
            let sequence: PostgresRowSequence = try await connection.query(query, logger: Self.logger)
            return try await sequence.collect()
        } catch {
            throw PGVectorError.queryFailed(operation: operation, reason: PGVectorError.reason(error))
        }
    }

    /// Runs `query` and collects its rows, blocking the calling thread.
    func rowsBlocking(_ query: PostgresQuery, operation: String) throws -> [PostgresRow] {
        do {
            return try connection.query(query, logger: Self.logger).wait().rows
        } catch {
            throw PGVectorError.queryFailed(operation: operation, reason: PGVectorError.reason(error))
        }
    }

    /// The shape of `table` (async): it must exist, have the four columns, and item indices exactly 0..<rows.
    func tableShape(_ table: String) async throws -> TableShape {
        let dimension = try checkedDimension(of: table, try await rows(Self.describeQuery(table), operation: "describing \(table)"))
        return try checkedShape(of: table, dimension: dimension, try await rows(Self.countQuery(table), operation: "counting \(table)"))
    }

    /// The shape of `table`, blocking the calling thread.
    func tableShapeBlocking(_ table: String) throws -> TableShape {
        let dimension = try checkedDimension(of: table, try rowsBlocking(Self.describeQuery(table), operation: "describing \(table)"))
        return try checkedShape(of: table, dimension: dimension, try rowsBlocking(Self.countQuery(table), operation: "counting \(table)"))
    }

    /// Whether the table exists, the declared length of `embedding` and how many of the expected columns it has.
    private static func describeQuery(_ table: String) -> PostgresQuery {
        let name = TableName.quoted(table)
        return """
            SELECT to_regclass(\(name)) IS NOT NULL,
                   (SELECT atttypmod FROM pg_attribute WHERE attrelid = to_regclass(\(name)) AND attname = 'embedding' AND NOT attisdropped),
                   (SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(\(name)) AND NOT attisdropped
                      AND attname IN ('item_index', 'item_id', 'title', 'embedding'))
            """
    }

    private static func countQuery(_ table: String) -> PostgresQuery {
        PostgresQuery(unsafeSQL: "SELECT count(*), coalesce(min(item_index), 0)::int8, coalesce(max(item_index), -1)::int8 FROM \(TableName.quoted(table))")
    }

    private func checkedDimension(of table: String, _ description: [PostgresRow]) throws -> Int {
        do {
            guard let described = description.first else { throw PGVectorError.notAnItemTable(table: table, reason: "no description") }
            let (exists, typeModifier, columns) = try described.decode((Bool, Int32?, Int64).self)
            guard exists else { throw PGVectorError.tableMissing(table: table, url: location.redacted) }
            guard columns == 4, let dimension = typeModifier, dimension > 0 else {
                throw PGVectorError.notAnItemTable(table: table, reason: "expected columns item_index, item_id, title, embedding vector(d)")
            }
            return Int(dimension)
        } catch let error as PGVectorError {
            throw error
        } catch {
            throw PGVectorError.notAnItemTable(table: table, reason: PGVectorError.reason(error))
        }
    }

    private func checkedShape(of table: String, dimension: Int, _ counts: [PostgresRow]) throws -> TableShape {
        do {
            guard let counted = counts.first else { throw PGVectorError.notAnItemTable(table: table, reason: "cannot count rows") }
            let (rows, lowest, highest) = try counted.decode((Int64, Int64, Int64).self)
            guard lowest == 0 || rows == 0, highest == rows - 1 else {
                throw PGVectorError.notAnItemTable(table: table, reason: "item_index must run from 0 to \(rows - 1), found \(lowest)...\(highest)")
            }
            return TableShape(count: Int(rows), dimension: dimension)
        } catch let error as PGVectorError {
            throw error
        } catch {
            throw PGVectorError.notAnItemTable(table: table, reason: PGVectorError.reason(error))
        }
    }
}
