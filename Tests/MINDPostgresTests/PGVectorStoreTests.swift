import Foundation
import MINDRetrieval
import Testing
@testable import MINDPostgres

@Suite(.enabled(if: TestDatabase.isAvailable, TestDatabase.skipReason))
struct PGVectorStoreTests {
    @Test func tableRoundTripsVectorsIdsAndTitles() async throws {
        let items = randomItems(count: 300, dimension: 16, seed: 1)
        let ids = (0..<300).map { "item-\($0)" }
        // Titles with every character COPY's text format escapes, and missing ones.
        let titles: [String?] = (0..<300).map { $0 % 7 == 0 ? nil : "Title \($0)\twith\\tab\nand \"quotes\" é" }
        let store = try PGVectorStore(url: TestDatabase.configuredURL, table: "mind_test_round_trip")
        let report = try await store.write(items: items, ids: ids, titles: titles, hnsw: HNSWBuildSettings(m: 8, efConstruction: 32))
        #expect(report.rows == 300)
        let read = try await store.read()
        #expect(read.items == items)  // bit for bit: shortest float text both ways
        #expect(read.ids == ids)
        #expect(read.titles == titles)
    }

    @Test func failedLoadLeavesTheOldTable() async throws {
        let store = try PGVectorStore(url: TestDatabase.configuredURL, table: "mind_test_failed_load")
        let items = randomItems(count: 50, dimension: 8, seed: 2)
        let ids = (0..<50).map { "old-\($0)" }
        _ = try await store.write(items: items, ids: ids)
        // A NUL byte is not valid text in PostgreSQL: the COPY fails on the server half-way through the load.
        var badIDs = (0..<60).map { "new-\($0)" }
        badIDs[40] = "bad\u{0}id"
        await #expect(throws: PGVectorError.self) {
            try await store.write(items: randomItems(count: 60, dimension: 8, seed: 3), ids: badIDs)
        }
        let read = try await store.read()
        #expect(read.items == items)
        #expect(read.ids == ids)
    }

    @Test func readingAMissingTableNamesIt() async throws {
        let store = try PGVectorStore(url: TestDatabase.configuredURL, table: "mind_test_no_such_table")
        do {
            _ = try await store.read()
            Issue.record("reading a missing table succeeded")
        } catch let error as PGVectorError {
            guard case .tableMissing(let table, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(table == "mind_test_no_such_table")
        }
    }

    @Test func mismatchedIdsAndNonFiniteValuesAreRejectedBeforeConnecting() async throws {
        let store = try PGVectorStore(url: TestDatabase.configuredURL, table: "mind_test_rejected")
        let items = randomItems(count: 4, dimension: 2, seed: 4)
        await #expect(throws: PGVectorError.invalidItems("3 item ids for 4 item vectors")) {
            try await store.write(items: items, ids: ["a", "b", "c"])
        }
        var values = items.storage
        values[5] = .nan
        await #expect(throws: PGVectorError.invalidItems("item 2 ('c') has a value that is not finite")) {
            try await store.write(items: ItemMatrix(count: 4, dimension: 2, storage: values), ids: ["a", "b", "c", "d"])
        }
    }
}

/// Errors that need no server: bad URLs, bad names, bad settings, nothing listening.
struct PGVectorConfigurationTests {
    @Test(arguments: [
        ("mysql://user@localhost/db", "the scheme must be postgres:// or postgresql://"),
        ("postgres://localhost/db", "no user name"),
        ("postgres://user@/db", "no host"),
        ("postgres://user@localhost:99999/db", "port 99999 is out of range"),
        ("postgres://user@localhost/db/extra", "the path must be one database name"),
        ("postgres://user@localhost/db?sslmode=maybe", "sslmode must be one of disable, prefer, require"),
        ("not a url at all", "the scheme must be postgres:// or postgresql://"),
        ("postgres://user@[::1/db", "not a URL"),
    ])
    func badURLsAreTypedErrors(url: String, reason: String) throws {
        do {
            _ = try PostgresLocation(url: url)
            Issue.record("\(url) was accepted")
        } catch let PGVectorError.invalidURL(_, found) {
            #expect(found == reason)
        }
    }

    @Test func urlPartsAndDefaults() throws {
        let location = try PostgresLocation(url: "postgresql://mind:s%40cret@db.example:6543/items?sslmode=require")
        #expect(location.user == "mind" && location.password == "s@cret" && location.host == "db.example")
        #expect(location.port == 6543 && location.database == "items" && location.tls == .require)
        #expect(location.redacted == "postgres://mind:***@db.example:6543/items")
        let defaults = try PostgresLocation(url: "postgres://mind@localhost")
        #expect(defaults.port == 5432 && defaults.database == "mind" && defaults.tls == .disable)
    }

    @Test func passwordsStayOutOfErrorMessages() {
        let error = PGVectorError.invalidURL("postgres://...@host:1/db", reason: "x")
        #expect(!error.description.contains("secret"))
        #expect(throws: PGVectorError.self) { _ = try PostgresLocation(url: "mysql://me:secret@host/db") }
        do { _ = try PostgresLocation(url: "mysql://me:secret@host/db") } catch { #expect(!"\(error)".contains("secret")) }
    }

    @Test(arguments: ["", "1items", "items;drop", "items-x", "\"items\"", String(repeating: "a", count: 49), "élan"])
    func badTableNamesAreTypedErrors(name: String) {
        #expect(throws: PGVectorError.invalidTableName(name)) { _ = try PGVectorStore(url: "postgres://u@localhost/db", table: name) }
    }

    @Test func badHNSWSettingsNameTheSetting() {
        #expect(throws: PGVectorError.self) { try HNSWBuildSettings(m: 1).validate() }
        #expect(throws: PGVectorError.self) { try HNSWBuildSettings(m: 16, efConstruction: 20).validate() }
        #expect(throws: PGVectorError.self) { try HNSWBuildSettings(maintenanceWorkMemory: "1GB'; drop").validate() }
        #expect(throws: PGVectorError.invalidSetting("hnsw.ef_search must be between 1 and 1000, not 5000")) {
            _ = try PGVectorIndex(url: "postgres://u@127.0.0.1:1/db", efSearch: 5000)
        }
    }

    @Test func nothingListeningIsAConnectionErrorNotACrash() throws {
        // Port 1 on loopback: refused at once.
        do {
            _ = try PGVectorIndex(url: "postgres://mind:secret@127.0.0.1:1/postgres")
            Issue.record("connected to port 1")
        } catch let PGVectorError.connectionFailed(url, reason) {
            #expect(url == "postgres://mind:***@127.0.0.1:1/postgres")
            #expect(!reason.isEmpty)
            #expect(PGVectorError.connectionFailed(url: url, reason: reason).description.hasPrefix("cannot connect to postgres://mind:***@127.0.0.1:1/postgres: "))
        }
    }
}
