import Foundation
import MINDServing
import PostgresNIO

/// The event log in PostgreSQL: one table `(sequence bigserial, user_id, item_id, ts)`. A committed statement is
/// durable (PostgreSQL's default `synchronous_commit = on`); concurrent appends share statements through
/// `GroupCommit`, and each group is one multi-row INSERT, so it is stored whole or not at all.
public struct PostgresEventStore: EventStore {
    public static let defaultTable = "mind_events"
    public let location: String
    private let log: PostgresEventLog
    private let committer: GroupCommit

    /// Connects to `url` and creates `table` if it does not exist.
    public init(url: String, table: String = PostgresEventStore.defaultTable) async throws {
        let place = try PostgresLocation(url: url)
        let name = try TableName.validated(table)
        location = "\(place.redacted) table \(name)"
        let log = PostgresEventLog(location: place, table: name)
        do {
            try await log.createTable()
        } catch {
            throw EventStoreError.cannotOpen(location, "\(error)")
        }
        self.log = log
        let location = self.location
        committer = GroupCommit { calls in
            do {
                return try await log.insert(calls)
            } catch {
                throw EventStoreError.writeFailed(location, "\(error)")
            }
        }
    }

    public func append(_ events: [UserEvent]) async throws -> [StoredEvent] {
        try await committer.append(events)
    }

    public func replay(after: Int64, batchSize: Int, _ body: ([StoredEvent]) throws -> Void) async throws {
        precondition(batchSize > 0, "Replay needs a positive batch size.")
        var last = after
        while true {
            let batch: [StoredEvent]
            do {
                batch = try await log.read(after: last, limit: batchSize)
            } catch {
                throw EventStoreError.readFailed(location, "\(error)")
            }
            if batch.isEmpty { return }
            try body(batch)
            last = batch[batch.count - 1].sequence
        }
    }

    public func close() async throws {
        await log.close()
    }
}

/// The one connection of a `PostgresEventStore`, reopened when the server dropped it. An actor: GroupCommit already
/// sends one write at a time, and replay happens before writes start.
actor PostgresEventLog {
    let location: PostgresLocation
    let table: String
    private var connection: PostgresConnection?
    private var closed = false

    init(location: PostgresLocation, table: String) {
        self.location = location
        self.table = table
    }

    private func session() async throws -> PostgresSession {
        if closed { throw EventStoreError.closed(location.redacted) }
        if let connection, !connection.isClosed { return PostgresSession(connection: connection, location: location) }
        let fresh = try await PostgresSession.connect(to: location)
        connection = fresh
        return PostgresSession(connection: fresh, location: location)
    }

    func createTable() async throws {
        let session = try await session()
        try await session.execute("""
            CREATE TABLE IF NOT EXISTS \(TableName.quoted(table)) (
                sequence bigserial PRIMARY KEY,
                user_id text NOT NULL,
                item_id text NOT NULL,
                ts bigint NOT NULL)
            """, operation: "creating the event table")
        // A table of that name made by something else fails here, before anything is served.
        _ = try await session.rows(
            PostgresQuery(unsafeSQL: "SELECT sequence, user_id, item_id, ts FROM \(TableName.quoted(table)) LIMIT 0"),
            operation: "checking the event table")
    }

    /// One INSERT for all calls; sequence numbers are handed out in the order of the rows (WITH ORDINALITY).
    func insert(_ calls: [[UserEvent]]) async throws -> [[StoredEvent]] {
        let events = calls.flatMap { $0 }
        let session = try await session()
        let query: PostgresQuery = """
            INSERT INTO \(unescaped: TableName.quoted(table)) (user_id, item_id, ts)
            SELECT u, i, t FROM unnest(\(events.map(\.user))::text[], \(events.map(\.item))::text[], \(events.map(\.timestamp))::int8[])
                WITH ORDINALITY AS e(u, i, t, position)
            ORDER BY position
            RETURNING sequence
            """
        let rows = try await session.rows(query, operation: "writing events")
        var sequences = try rows.map { try $0.decode(Int64.self) }
        guard sequences.count == events.count else {
            throw EventStoreError.writeFailed(location.redacted, "\(events.count) events sent, \(sequences.count) stored")
        }
        sequences.sort()  // nextval follows the insert order; RETURNING's row order is not promised
        var stored: [[StoredEvent]] = []
        var next = 0
        for call in calls {
            stored.append(call.map { event in
                defer { next += 1 }
                return StoredEvent(sequence: sequences[next], event: event)
            })
        }
        return stored
    }

    func read(after: Int64, limit: Int) async throws -> [StoredEvent] {
        let session = try await session()
        let query: PostgresQuery = """
            SELECT sequence, user_id, item_id, ts FROM \(unescaped: TableName.quoted(table))
            WHERE sequence > \(after) ORDER BY sequence LIMIT \(Int64(limit))
            """
        return try await session.rows(query, operation: "reading events").map { row in
            let (sequence, user, item, timestamp) = try row.decode((Int64, String, String, Int64).self)
            return StoredEvent(sequence: sequence, event: UserEvent(user: user, item: item, timestamp: timestamp))
        }
    }

    func close() async {
        closed = true
        if let connection { try? await connection.close() }
        connection = nil
    }
}
