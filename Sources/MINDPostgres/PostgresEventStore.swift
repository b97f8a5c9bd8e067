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

    /// Connects to `url` and creates `table` if it does not exist. A writer holds an advisory lock on the table for
    /// as long as it is open, so a second service on the same table is refused (each would serve only its own
    /// writes); `readOnly` (export) reads an existing table beside it and takes no lock.
    public init(url: String, table: String = PostgresEventStore.defaultTable, readOnly: Bool = false) async throws {
        let place = try PostgresLocation(url: url)
        let name = try TableName.validated(table)
        location = "\(place.redacted) table \(name)"
        let log = PostgresEventLog(location: place, table: name, writer: !readOnly)
        do {
            if readOnly { try await log.checkTable() } else { try await log.createTable() }
        } catch {
            await log.close()  // PostgresNIO requires a connection to be closed before it is released
            if let error = error as? EventStoreError { throw error }
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
    /// Whether this log appends: then each of its connections holds the table's writer lock.
    let writer: Bool
    private var connection: PostgresConnection?
    private var closed = false

    init(location: PostgresLocation, table: String, writer: Bool) {
        self.location = location
        self.table = table
        self.writer = writer
    }

    private func session() async throws -> PostgresSession {
        if closed { throw EventStoreError.closed(location.redacted) }
        if let connection, !connection.isClosed { return PostgresSession(connection: connection, location: location) }
        let fresh = try await PostgresSession.connect(to: location)
        let session = PostgresSession(connection: fresh, location: location)
        if writer {
            // Session-level: held until this connection ends. After a dropped connection the lock is taken again,
            // and if another service has it meanwhile, this one writes nothing.
            // A writer killed a moment ago holds the lock until its server-side session notices the closed socket:
            // a few seconds of retries tell that from a live writer.
            let key = "mind event log \(table)"
            var locked = false
            for attempt in 0..<50 {
                if attempt > 0 { try await Task.sleep(for: .milliseconds(100)) }
                let rows = try await session.rows("SELECT pg_try_advisory_lock(hashtext(\(key))::int8)", operation: "locking the event table")
                locked = try rows.first?.decode(Bool.self) == true
                if locked { break }
            }
            guard locked else {
                try? await fresh.close()
                throw EventStoreError.cannotOpen(
                    "\(location.redacted) table \(table)", "another process (a running mind serve?) is writing to it")
            }
        }
        connection = fresh
        return session
    }

    /// A reader's check that the table exists and has our columns.
    func checkTable() async throws {
        _ = try await session().rows(
            PostgresQuery(unsafeSQL: "SELECT sequence, user_id, item_id, ts FROM \(TableName.quoted(table)) LIMIT 0"),
            operation: "checking the event table")
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
        try await checkTable()
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
