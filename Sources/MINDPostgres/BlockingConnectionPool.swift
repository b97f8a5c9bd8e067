import Dispatch
import Foundation
import PostgresNIO

/// A connection of the pool and the session settings last sent on it (so a search sends `SET` only on a change).
final class PooledConnection: @unchecked Sendable {
    var session: PostgresSession
    /// The `hnsw.ef_search` in force, nil before the first `SET`.
    var efSearch: Int?
    /// The `enable_indexscan` in force (PostgreSQL's default is on).
    var indexScan = true

    init(session: PostgresSession) {
        self.session = session
    }
}

/// A fixed set of connections lent out one caller at a time: a caller blocks until one is free.
///
/// A connection is used by one caller at a time, so the `SET` of one search cannot slip between another search's
/// `SET` and `SELECT`; `size` callers run at once.
final class BlockingConnectionPool: @unchecked Sendable {
    private let lock = NSLock()
    private let free: DispatchSemaphore
    private var idle: [PooledConnection]
    private let all: [PooledConnection]
    private let location: PostgresLocation
    private var isShutDown = false

    /// Opens `size` connections to `location`, closing the opened ones if one fails.
    init(location: PostgresLocation, size: Int) throws {
        precondition(size > 0, "A connection pool needs at least one connection.")
        var opened = [PooledConnection]()
        do {
            for _ in 0..<size {
                let connection = try PostgresSession.connectBlocking(to: location)
                opened.append(PooledConnection(session: PostgresSession(connection: connection, location: location)))
            }
        } catch {
            for pooled in opened { _ = try? pooled.session.connection.close().wait() }
            throw error
        }
        self.location = location
        all = opened
        idle = opened
        free = DispatchSemaphore(value: size)
    }

    /// Runs `body` with a connection of its own, waiting for one if all are lent.
    func withConnection<Result>(_ body: (PooledConnection) throws -> Result) throws -> Result {
        free.wait()
        lock.lock()
        let pooled = idle.removeLast()
        lock.unlock()
        defer {
            lock.lock()
            idle.append(pooled)
            lock.unlock()
            free.signal()
        }
        try reopenIfClosed(pooled)
        return try body(pooled)
    }

    /// A connection the server or the network dropped is opened again (once per call); one the pool closed is not.
    /// A statement sent on a closed postgres-nio connection may never be answered, so this check comes first.
    private func reopenIfClosed(_ pooled: PooledConnection) throws {
        guard pooled.session.connection.isClosed else { return }
        lock.lock()
        let shutDown = isShutDown
        lock.unlock()
        if shutDown { throw PGVectorError.queryFailed(operation: "searching", reason: "the index has been closed") }
        let connection = try PostgresSession.connectBlocking(to: location)
        pooled.session = PostgresSession(connection: connection, location: location)
        pooled.efSearch = nil
        pooled.indexScan = true
    }

    /// Closes every connection; a later `withConnection` fails with an error saying so.
    func close() {
        lock.lock()
        isShutDown = true
        lock.unlock()
        for pooled in all { _ = try? pooled.session.connection.close().wait() }
    }

    deinit {
        // Without waiting (a deinit may run anywhere): the callback holds each connection until its channel has
        // closed, since postgres-nio asserts that a connection is closed before it is freed.
        for pooled in all {
            let connection = pooled.session.connection
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }
}
