import Foundation
import MINDPostgres
import MINDServer
import MINDServing
import Testing

/// What every event store must do: durable, ordered, numbered, all or nothing, replayable after a reopen.
enum EventStoreContract {
    static func concurrentAppendsAreAllStoredOnceInOrder(open: () async throws -> any EventStore) async throws {
        let store = try await open()
        let writers = 24, perWriter = 40
        let acknowledged = try await withThrowingTaskGroup(of: [StoredEvent].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var stored: [StoredEvent] = []
                    for i in 0..<perWriter {
                        // Writers alternate single events and small batches.
                        let events = (0..<(i % 3 + 1)).map { UserEvent(user: "w\(writer)", item: "i\(i)-\($0)", timestamp: Int64(i)) }
                        stored += try await store.append(events)
                    }
                    return stored
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(acknowledged.map(\.sequence)).count == acknowledged.count, "sequence numbers are unique")
        try await store.close()

        let reopened = try await open()
        var replayed: [StoredEvent] = []
        try await reopened.replay(after: 0, batchSize: 7) { replayed += $0 }
        #expect(replayed.map(\.sequence) == replayed.map(\.sequence).sorted())
        #expect(Set(replayed) == Set(acknowledged), "every acknowledged event, nothing else")
        // Each writer's events keep the order it wrote them in.
        for writer in 0..<writers {
            let mine = replayed.filter { $0.event.user == "w\(writer)" }.map(\.event.item)
            #expect(mine == acknowledged.filter { $0.event.user == "w\(writer)" }.sorted { $0.sequence < $1.sequence }.map(\.event.item))
        }
        var tail: [StoredEvent] = []
        try await reopened.replay(after: replayed[replayed.count - 3].sequence, batchSize: 100) { tail += $0 }
        #expect(tail == Array(replayed.suffix(2)))
        let more = try await reopened.append([UserEvent(user: "late", item: "x", timestamp: 1)])
        #expect(more[0].sequence > replayed.last!.sequence, "numbers are never reused")
        try await reopened.close()
        await #expect(throws: (any Error).self) { _ = try await reopened.append([UserEvent(user: "a", item: "b", timestamp: 0)]) }
    }
}

@Suite("SQLite event log")
struct SQLiteEventStoreTests {
    @Test func concurrentAppendsSurviveAReopen() async throws {
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("events.sqlite").path
        try await EventStoreContract.concurrentAppendsAreAllStoredOnceInOrder { try SQLiteEventStore(path: path) }
    }

    @Test func aDamagedOrForeignFileIsRefusedByName() async throws {
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let garbage = scratch.appendingPathComponent("garbage.sqlite")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: garbage)
        #expect { try SQLiteEventStore(path: garbage.path) } throws: { "\($0)".contains(garbage.path) }
        // The failed open let go of its writer lock: a second try fails for the same reason, not "another process".
        #expect { try SQLiteEventStore(path: garbage.path) } throws: { !"\($0)".contains("another process") }

        // A SQLite file whose "events" table is someone else's.
        let foreign = scratch.appendingPathComponent("foreign.sqlite").path
        let store = try SQLiteEventStore(path: foreign)
        try await store.close()
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DROP TABLE events'); c.execute('CREATE TABLE events (a, b)'); c.commit()", foreign]
        try sqlite.run()
        sqlite.waitUntilExit()
        try #require(sqlite.terminationStatus == 0)
        #expect { try SQLiteEventStore(path: foreign) } throws: { "\($0)".contains(foreign) }

        // Reading for export never creates a log.
        let missing = scratch.appendingPathComponent("missing.sqlite").path
        #expect(throws: EventStoreError.self) { try SQLiteEventStore(path: missing, readOnly: true) }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    /// One writer per log: a second would keep its own users in memory and serve each service only its writes.
    @Test func aSecondWriterIsRefusedWhileTheFirstHasTheLog() async throws {
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("events.sqlite").path
        let first = try SQLiteEventStore(path: path)
        #expect { try SQLiteEventStore(path: path) } throws: { "\($0)".contains("another process") }
        let reader = try SQLiteEventStore(path: path, readOnly: true)  // export reads beside the service
        try await reader.close()
        _ = try await first.append([UserEvent(user: "u", item: "i", timestamp: 1)])
        try await first.close()
        let second = try SQLiteEventStore(path: path)  // free again once the first has closed
        try await second.close()
    }

    /// A log deleted or replaced under a running service: a commit into it would not survive a restart, so it is
    /// an error, not an acknowledgement. Each of the two files, and the database replaced by another file.
    @Test(arguments: ["delete database", "delete wal", "replace database"])
    func aLogRemovedWhileOpenRefusesWrites(damage: String) async throws {
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("events.sqlite").path
        let store = try SQLiteEventStore(path: path)
        _ = try await store.append([UserEvent(user: "u", item: "before", timestamp: 1)])
        switch damage {
        case "delete database": try FileManager.default.removeItem(atPath: path)
        case "delete wal": try FileManager.default.removeItem(atPath: path + "-wal")
        default:
            try FileManager.default.moveItem(atPath: path, toPath: path + ".old")
            try Data().write(to: URL(fileURLWithPath: path))
        }
        await #expect { _ = try await store.append([UserEvent(user: "u", item: "after", timestamp: 2)]) } throws: {
            "\($0)".contains("deleted or replaced while the service ran")
        }
        try? await store.close()
        guard damage == "delete wal" else { return }
        // The acknowledged event, which lived only in the deleted write-ahead log, was saved into the database file;
        // the refused one was not written.
        let reopened = try SQLiteEventStore(path: path)
        var items: [String] = []
        try await reopened.replay(after: 0, batchSize: 10) { items += $0.map(\.event.item) }
        #expect(items == ["before"])
        try await reopened.close()
    }
}

@Suite("PostgreSQL event log", .enabled(if: ProcessInfo.processInfo.environment["MIND_TEST_DATABASE_URL"].map { !$0.isEmpty } ?? false,
                                        "MIND_TEST_DATABASE_URL is not set: run ./scripts/test.sh, or start a server with scripts/pgvector-server.sh start DIR and export its URL"))
struct PostgresEventStoreTests {
    @Test func concurrentAppendsSurviveAReopen() async throws {
        let url = ProcessInfo.processInfo.environment["MIND_TEST_DATABASE_URL"]!
        let table = "mind_events_test_\(UInt32.random(in: 0..<UInt32.max))"
        try await EventStoreContract.concurrentAppendsAreAllStoredOnceInOrder { try await PostgresEventStore(url: url, table: table) }
    }

    @Test func aWrongURLOrTableNameIsAClearError() async throws {
        await #expect(throws: (any Error).self) { _ = try await PostgresEventStore(url: "mysql://x@localhost/db") }
        let url = ProcessInfo.processInfo.environment["MIND_TEST_DATABASE_URL"]!
        await #expect(throws: (any Error).self) { _ = try await PostgresEventStore(url: url, table: "bad; DROP TABLE x") }
    }

    /// One writer per table, as for SQLite files: a second service is refused; an export reads beside the first.
    @Test func aSecondWriterIsRefusedWhileTheFirstHasTheTable() async throws {
        let url = ProcessInfo.processInfo.environment["MIND_TEST_DATABASE_URL"]!
        let table = "mind_events_test_\(UInt32.random(in: 0..<UInt32.max))"
        let first = try await PostgresEventStore(url: url, table: table)
        await #expect { _ = try await PostgresEventStore(url: url, table: table) } throws: { "\($0)".contains("another process") }
        _ = try await first.append([UserEvent(user: "u", item: "i", timestamp: 1)])
        let reader = try await PostgresEventStore(url: url, table: table, readOnly: true)
        var read = 0
        try await reader.replay(after: 0, batchSize: 10) { read += $0.count }
        #expect(read == 1)
        try await reader.close()
        try await first.close()
        let second = try await PostgresEventStore(url: url, table: table)  // free again once the first has closed
        try await second.close()
        // A reader never creates a table.
        await #expect(throws: (any Error).self) { _ = try await PostgresEventStore(url: url, table: table + "_missing", readOnly: true) }
    }
}

@Suite("Online recommender")
struct OnlineRecommenderTests {
    @Test func eventsAppliedOutOfOrderLandInLogOrderOnce() throws {
        let online = OnlineRecommender(recommender: try ServerFixture.recommender())
        let ids = ServerFixture.itemIDs
        let events = (1...6).map { StoredEvent(sequence: Int64($0), event: UserEvent(user: "u", item: ids[$0], timestamp: Int64($0))) }
        online.apply([events[3], events[5]])
        online.apply([events[0], events[4], events[1]])
        online.apply([events[2], events[3]])  // events[3] again: skipped
        #expect(online.history(of: "u")?.items == (1...6).map { ids[$0] })
        #expect(online.lastSequence == 6)
        online.seed(user: "seeded", items: [ids[9]], timestamps: [0])
        online.apply([StoredEvent(sequence: 7, event: UserEvent(user: "seeded", item: ids[10], timestamp: 7))])
        #expect(online.history(of: "seeded")?.items == [ids[9], ids[10]])
    }

    /// Users are told apart by bytes, as the log stores them: "café" precomposed and decomposed are Swift-equal
    /// strings, but two users in the log, so two here.
    @Test func idsThatDifferInBytesAreTwoUsers() throws {
        let online = OnlineRecommender(recommender: try ServerFixture.recommender())
        let ids = ServerFixture.itemIDs
        let (composed, decomposed) = ("caf\u{E9}", "cafe\u{301}")
        try #require(composed == decomposed)  // what made them one user
        online.apply([StoredEvent(sequence: 1, event: UserEvent(user: composed, item: ids[1], timestamp: 1)),
                      StoredEvent(sequence: 2, event: UserEvent(user: decomposed, item: ids[2], timestamp: 2))])
        #expect(online.userCount == 2)
        #expect(online.history(of: composed)?.items == [ids[1]])
        #expect(online.history(of: decomposed)?.items == [ids[2]])
    }
}
