import Foundation
import GRDB
import MINDServing

/// The default event log: one SQLite file through GRDB, in WAL mode with `synchronous = FULL`, so a committed
/// transaction survives a crash of the process or the machine. Concurrent appends share transactions
/// (`GroupCommit`): one fsync acknowledges every writer that queued while the previous one ran.
public final class SQLiteEventStore: EventStore {
    public let location: String
    private let pool: DatabasePool
    private let committer: GroupCommit

    /// Opens (or creates) the log at `path`; an existing file must be an event log of ours. `readOnly` opens an
    /// existing log for reading (export) and changes nothing in the file.
    public init(path: String, readOnly: Bool = false) throws {
        location = path
        var configuration = Configuration()
        configuration.label = "mind.events"
        configuration.readonly = readOnly
        configuration.prepareDatabase { db in
            // WAL is DatabasePool's journal mode; FULL makes each commit wait for the WAL's fsync.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            if readOnly {
                try pool.read { db in
                    _ = try Row.fetchAll(db, sql: "SELECT sequence, user, item, timestamp FROM events LIMIT 0")
                }
            } else {
                try pool.write { db in
                    try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS events (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        user TEXT NOT NULL,
                        item TEXT NOT NULL,
                        timestamp INTEGER NOT NULL)
                    """)
                    // An older or foreign table of the same name fails here, before anything is served.
                    _ = try Row.fetchAll(db, sql: "SELECT sequence, user, item, timestamp FROM events LIMIT 0")
                }
            }
        } catch {
            throw EventStoreError.cannotOpen(path, Self.reason(error))
        }
        let pool = self.pool
        committer = GroupCommit { calls in
            do {
                return try await pool.write { db in
                    let insert = try db.cachedStatement(sql: "INSERT INTO events (user, item, timestamp) VALUES (?, ?, ?)")
                    return try calls.map { events in
                        try events.map { event in
                            try insert.execute(arguments: [event.user, event.item, event.timestamp])
                            return StoredEvent(sequence: db.lastInsertedRowID, event: event)
                        }
                    }
                }
            } catch {
                throw EventStoreError.writeFailed(path, Self.reason(error))
            }
        }
    }

    public func append(_ events: [UserEvent]) async throws -> [StoredEvent] {
        try await committer.append(events)
    }

    public func replay(after: Int64, batchSize: Int, _ body: ([StoredEvent]) throws -> Void) async throws {
        try replaySynchronously(after: after, batchSize: batchSize, body)
    }

    /// Replay with GRDB's blocking read: the rows go to `body` as they are read (it runs once, at start or export).
    private func replaySynchronously(after: Int64, batchSize: Int, _ body: ([StoredEvent]) throws -> Void) throws {
        precondition(batchSize > 0, "Replay needs a positive batch size.")
        do {
            try pool.read { db in
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT sequence, user, item, timestamp FROM events WHERE sequence > ? ORDER BY sequence",
                    arguments: [after])
                var batch: [StoredEvent] = []
                batch.reserveCapacity(batchSize)
                while let row = try rows.next() {
                    // Read through DatabaseValue: a damaged file may hold any type in any column, and GRDB's typed
                    // subscripts stop the process on a mismatch.
                    let sequenceValue: DatabaseValue = row["sequence"]
                    let userValue: DatabaseValue = row["user"], itemValue: DatabaseValue = row["item"]
                    let timestampValue: DatabaseValue = row["timestamp"]
                    guard let sequence = Int64.fromDatabaseValue(sequenceValue), let user = String.fromDatabaseValue(userValue),
                          let item = String.fromDatabaseValue(itemValue), let timestamp = Int64.fromDatabaseValue(timestampValue),
                          !user.isEmpty, !item.isEmpty else {
                        throw EventStoreError.readFailed(location, "the event after sequence \(batch.last?.sequence ?? after) is damaged")
                    }
                    batch.append(StoredEvent(sequence: sequence, event: UserEvent(user: user, item: item, timestamp: timestamp)))
                    if batch.count == batchSize {
                        try body(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { try body(batch) }
            }
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw EventStoreError.readFailed(location, Self.reason(error))
        }
    }

    public func close() async throws {
        do {
            try pool.close()
        } catch {
            throw EventStoreError.writeFailed(location, Self.reason(error))
        }
    }

    static func reason(_ error: Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}
