import Foundation
import MINDRetrieval
import PostgresNIO

/// PostgreSQL with pgvector as a `VectorIndex`: top-n by inner product over a table written by `PGVectorStore`.
///
/// Each query vector is one statement on the HNSW index (`<#>` is pgvector's *negative* inner product):
///
///     SET hnsw.ef_search = min(1000, max(n + excluded, 40));   -- only when it changes on the connection
///     SELECT item_index, (embedding <#> $1) * -1 AS score FROM t ORDER BY embedding <#> $1 LIMIT n + excluded
///
/// then the excluded items are dropped and the rest cut to n, ties by lower item index. The HNSW scan returns at
/// most `ef_search` rows, so ef_search covers the excluded items too; pgvector caps it at 1000, and a query needing
/// more than 1000 rows (or `mode == .exact`) is answered exactly instead: index scans off, a full scan ordered by
/// `embedding <#> $1, item_index`.
///
/// `VectorIndex` is synchronous. The index bridges with postgres-nio's `EventLoopFuture` API and `wait()`: the
/// statements run on NIO's event-loop thread while the caller blocks, so no Swift-concurrency thread is needed and
/// a call from a task of the cooperative pool cannot starve it. Calls are safe from many threads at once: each
/// borrows one of `connections` connections for its whole batch (its statements are pipelined on it).
///
/// `search` cannot throw: on a database error it returns empty lists and keeps the error in `failure`, which a
/// caller checks after a batch; `searchChecked` throws instead.
public struct PGVectorIndex: VectorIndex {
    /// How a query is answered.
    public enum SearchMode: String, Sendable, CaseIterable {
        /// The HNSW index (approximate; exact in practice on small catalogues with ef_search >= n).
        case hnsw
        /// A full scan (exact), as when more than 1000 rows are needed.
        case exact
    }

    /// pgvector's largest `hnsw.ef_search`.
    public static let maximumEfSearch = 1000
    /// pgvector's default `hnsw.ef_search`, the least used here.
    public static let minimumEfSearch = 40

    /// The database.
    public let location: PostgresLocation
    /// The table.
    public let table: String
    public let count: Int
    public let dimension: Int
    /// How queries are answered.
    public let mode: SearchMode
    /// A fixed `hnsw.ef_search` for every query instead of max(n + excluded, 40).
    public let efSearch: Int?

    private let pool: BlockingConnectionPool
    private let failures = FailureRecord()

    /// Connects to the table `table` at `url` (`connections` connections) and reads its shape.
    ///
    /// - Throws: `PGVectorError` naming the URL, the table or the setting at fault.
    public init(url: String, table: String = PGVectorStore.defaultTable, connections: Int = 1,
                mode: SearchMode = .hnsw, efSearch: Int? = nil) throws {
        guard connections > 0 else { throw PGVectorError.invalidSetting("a pgvector index needs at least one connection, not \(connections)") }
        if let efSearch, !(1...Self.maximumEfSearch).contains(efSearch) {
            throw PGVectorError.invalidSetting("hnsw.ef_search must be between 1 and \(Self.maximumEfSearch), not \(efSearch)")
        }
        location = try PostgresLocation(url: url)
        self.table = try TableName.validated(table)
        self.mode = mode
        self.efSearch = efSearch
        let pool = try BlockingConnectionPool(location: location, size: connections)
        let shape = try pool.withConnection { try $0.session.tableShapeBlocking(table) }
        self.pool = pool
        count = shape.count
        dimension = shape.dimension
    }

    /// Throws unless the table holds exactly `items`' number of vectors of `items`' dimension.
    public func check(matches items: ItemMatrix) throws {
        guard dimension == items.dimension else { throw PGVectorError.dimensionMismatch(table: table, expected: items.dimension, found: dimension) }
        guard count == items.count else { throw PGVectorError.itemCountMismatch(table: table, expected: items.count, found: count) }
    }

    /// The first database error a `search` met and hid (it answered empty lists then), if any.
    public var failure: PGVectorError? { failures.first }

    /// Closes the connections; later searches fail.
    public func close() { pool.close() }

    public func search(queries: [Float], queryCount: Int, n: Int, exclude: [[Int32]]) -> [[ScoredItem]] {
        do {
            return try searchChecked(queries: queries, queryCount: queryCount, n: n, exclude: exclude)
        } catch {
            failures.record(error as? PGVectorError ?? .queryFailed(operation: "searching \(table)", reason: PGVectorError.reason(error)))
            return [[ScoredItem]](repeating: [], count: queryCount)
        }
    }

    /// `search`, throwing the database error instead of answering empty lists.
    public func searchChecked(queries: [Float], queryCount: Int, n: Int, exclude: [[Int32]]) throws -> [[ScoredItem]] {
        precondition(queries.count == queryCount * dimension, "Give queryCount x dimension query values.")
        precondition(exclude.isEmpty || exclude.count == queryCount, "Give one exclusion list per query, or none.")
        precondition(n >= 0, "The number of results must be non-negative.")
        guard queryCount > 0 else { return [] }
        let excluded: [Set<Int32>] = (0..<queryCount).map { query in
            exclude.isEmpty ? [] : Set(exclude[query].filter { $0 >= 0 && Int($0) < count })
        }
        let quoted = TableName.quoted(table)
        return try pool.withConnection { pooled in
            // Every statement is sent before the first answer is awaited: one round trip's wait per batch, not per query.
            var pending = [EventLoopFuture<PostgresQueryResult>?]()
            for query in 0..<queryCount {
                let limit = min(n + excluded[query].count, count)
                guard n > 0, limit > 0 else { pending.append(nil); continue }
                let exact = mode == .exact || limit > Self.maximumEfSearch
                if exact != !pooled.indexScan {
                    _ = pooled.session.connection.query(PostgresQuery(unsafeSQL: "SET enable_indexscan = \(exact ? "off" : "on")"), logger: PostgresSession.logger)
                    pooled.indexScan = !exact
                }
                let ef = efSearch ?? max(limit, Self.minimumEfSearch)
                if !exact && pooled.efSearch != ef {
                    _ = pooled.session.connection.query(PostgresQuery(unsafeSQL: "SET hnsw.ef_search = \(ef)"), logger: PostgresSession.logger)
                    pooled.efSearch = ef
                }
                var binds = PostgresBindings(capacity: 2)
                binds.append(VectorText.format(queries[(query * dimension)..<((query + 1) * dimension)]))
                binds.append(Int64(limit))
                let order = exact ? "embedding <#> $1::vector, item_index" : "embedding <#> $1::vector"
                let sql = "SELECT item_index, (embedding <#> $1::vector) * -1 AS score FROM \(quoted) ORDER BY \(order) LIMIT $2"
                pending.append(pooled.session.connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: PostgresSession.logger))
            }
            var results = [[ScoredItem]]()
            var firstError: Error?
            for (query, future) in pending.enumerated() {
                guard let future else { results.append([]); continue }
                do {
                    let rows = try future.wait().rows
                    var hits = [ScoredItem]()
                    hits.reserveCapacity(rows.count)
                    for row in rows {
                        let (item, score) = try row.decode((Int32, Double).self)
                        if !excluded[query].contains(item) { hits.append(ScoredItem(item: item, score: Float(score), interest: 0)) }
                    }
                    hits.sort(by: ScoredItem.ranksBefore)
                    results.append(Array(hits.prefix(n)))
                } catch {
                    // Keep waiting on the rest so no answer is left in flight on a connection that is lent again.
                    if firstError == nil { firstError = error }
                    results.append([])
                }
            }
            if let firstError {
                // The session settings may not have been applied: send them again next time.
                pooled.efSearch = nil
                pooled.indexScan = true
                _ = try? pooled.session.connection.query(PostgresQuery(unsafeSQL: "RESET ALL"), logger: PostgresSession.logger).wait()
                throw PGVectorError.queryFailed(operation: "searching \(table)", reason: PGVectorError.reason(firstError))
            }
            return results
        }
    }
}

/// The first error a non-throwing search met, kept for the caller to check.
private final class FailureRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var error: PGVectorError?

    var first: PGVectorError? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }

    func record(_ newError: PGVectorError) {
        lock.lock()
        if error == nil { error = newError }
        lock.unlock()
    }
}
