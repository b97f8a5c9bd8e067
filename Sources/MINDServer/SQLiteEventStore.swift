import Foundation
import GRDB
import MINDServing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The default event log: one SQLite file through GRDB, in WAL mode with `synchronous = FULL`, so a committed
/// transaction survives a crash of the process or the machine. Concurrent appends share transactions
/// (`GroupCommit`): one fsync acknowledges every writer that queued while the previous one ran.
public final class SQLiteEventStore: EventStore {
    public let location: String
    private let pool: DatabasePool
    private let committer: GroupCommit
    /// The writer's hold on the log (nil when read-only): an exclusive lock, and the files' identities.
    private let guardian: LogFileGuard?
    /// The write-ahead log as the store opened it (nil when read-only).
    private let writeAheadLog: LogFileGuard.FileIdentity?

    /// Opens (or creates) the log at `path`; an existing file must be an event log of ours. `readOnly` opens an
    /// existing log for reading (export) and changes nothing in the file.
    public init(path: String, readOnly: Bool = false) throws {
        location = path
        var openedWriteAheadLog: LogFileGuard.FileIdentity?
        var configuration = Configuration()
        configuration.label = "mind.events"
        configuration.readonly = readOnly
        configuration.prepareDatabase { db in
            // WAL is DatabasePool's journal mode; FULL makes each commit wait for the WAL's fsync.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            // Two services appending to one log would each serve only their own writes: the second is refused.
            guardian = readOnly ? nil : try LogFileGuard(path: path)
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
                // The write-ahead log exists from the first write on, for as long as the pool is open.
                guard let wal = LogFileGuard.FileIdentity(path: path + "-wal") else {
                    throw EventStoreError.cannotOpen(path, "SQLite kept no write-ahead log beside it")
                }
                openedWriteAheadLog = wal
            }
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw EventStoreError.cannotOpen(path, Self.reason(error))
        }
        writeAheadLog = openedWriteAheadLog
        let (pool, guardian, writeAheadLog) = (self.pool, self.guardian, self.writeAheadLog)
        /// Copies what the write-ahead log holds into the database file (SQLite keeps the log open after it is unlinked).
        let checkpoint = { try await pool.writeWithoutTransaction { try $0.checkpoint(.truncate) } }
        committer = GroupCommit { calls in
            // Files deleted or replaced under the service: refuse before writing, so the 503 is true ("nothing was
            // stored"), and save what the write-ahead log holds of earlier, acknowledged events.
            if let problem = guardian?.problem(writeAheadLog: writeAheadLog) {
                if guardian?.databaseProblem() == nil { _ = try? await checkpoint() }
                throw EventStoreError.writeFailed(path, problem)
            }
            let stored: [[StoredEvent]]
            do {
                stored = try await pool.write { db in
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
            // Deleted or replaced during this commit: with the database file still in place, a checkpoint makes the
            // commit durable there (and it is acknowledged); otherwise it is durable nowhere a restart will look.
            if let problem = guardian?.problem(writeAheadLog: writeAheadLog) {
                if guardian?.databaseProblem() == nil, (try? await checkpoint()) != nil { return stored }
                throw EventStoreError.writeFailed(path, problem)
            }
            return stored
        }
    }

    public func knownProblem() -> String? { guardian?.problem(writeAheadLog: writeAheadLog) }

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
        guardian?.release()  // after SQLite has closed the file: closing our descriptor first would drop its locks
    }

    static func reason(_ error: Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}

/// A writer's hold on its SQLite log. It keeps a descriptor of the database file with an exclusive `flock` (SQLite
/// locks with `fcntl`, which is separate, so this lock only keeps other writers of ours out), and tells, after each
/// commit, whether the database or its write-ahead log is still the file at its path: a log deleted or replaced
/// while the service runs takes every later commit with it.
final class LogFileGuard: Sendable {
    let path: String
    /// The database file's descriptor holding the lock; -1 once released (by `release()`, or `deinit` when a store
    /// failed to open after taking the lock).
    private let descriptor: Mutex<Int32>
    private let databaseIdentity: FileIdentity

    /// Device and inode: what a path names.
    struct FileIdentity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64

        init(_ status: stat) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }

        /// What `path` names now, or nil when nothing does.
        init?(path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            self.init(status)
        }
    }

    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw EventStoreError.cannotOpen(path, String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = busy ? "another process (a running mind serve?) is writing to it" : String(cString: strerror(errno))
            close(descriptor)
            throw EventStoreError.cannotOpen(path, reason)
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw EventStoreError.cannotOpen(path, reason)
        }
        self.descriptor = Mutex(descriptor)
        databaseIdentity = FileIdentity(status)
    }

    deinit { release() }

    /// Why the files at the path are no longer the ones being written (`writeAheadLog`: the identity of the
    /// write-ahead log when the store opened), or nil while they are.
    func problem(writeAheadLog: FileIdentity?) -> String? {
        if let problem = databaseProblem() { return problem }
        if let writeAheadLog, FileIdentity(path: path + "-wal") != writeAheadLog {
            return "the log's write-ahead file (\(path)-wal) was deleted or replaced while the service ran, so nothing written now would survive a restart; restart the service"
        }
        return nil
    }

    /// `problem(writeAheadLog:)` for the database file alone.
    func databaseProblem() -> String? {
        var status = stat()
        let described = descriptor.withLock { $0 >= 0 && fstat($0, &status) == 0 }
        if !described || status.st_nlink == 0 || FileIdentity(path: path) != databaseIdentity {
            return "the log file was deleted or replaced while the service ran, so nothing written now would survive a restart; restart the service"
        }
        return nil
    }

    func release() {
        descriptor.withLock { descriptor in
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }
    }
}
