import Foundation
import MINDData
import MINDServer
import MINDServing
import Testing

@Suite("mind events export")
struct EventsCommandTests {
    /// What the service logged becomes a dataset: events -> CSV -> `mind prepare`, ids with commas and quotes intact.
    @Test func exportedEventsPrepareIntoADataset() async throws {
        let workspace = try CommandWorkspace(prefix: "mind-events")
        defer { workspace.remove() }
        let log = workspace.path("events.sqlite")
        let store = try SQLiteEventStore(path: log)
        var events: [UserEvent] = []
        for user in 0..<12 {
            for step in 0..<8 {
                let item = step % 3 == 0 ? "item, \"\(step + user % 4)\"" : "i\((user * 3 + step) % 10)"
                events.append(UserEvent(user: "u\(user)", item: item, timestamp: Int64(1_000 + user * 100 + step)))
            }
        }
        _ = try await store.append(events)
        try await store.close()

        let csv = workspace.path("events.csv")
        try await workspace.runAsync(["events", "export", "--events", log, "--output", csv])
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "user_id,item_id,timestamp")
        #expect(lines.count == events.count + 1)
        #expect(lines[1] == "u0,\"item, \"\"0\"\"\",1000")

        try workspace.run(["prepare", "--interactions", csv, "--timestamp-column", "timestamp", "--min-user-count", "1", "--min-item-count", "1",
                           "--output", workspace.path("data")])
        let data = try DatasetStore.load(from: URL(fileURLWithPath: workspace.path("data")))
        #expect(data.interactionCount == events.count)
        #expect(data.items.index(of: "item, \"0\"") != nil)

        // A missing log is an error that names it, and no CSV is written.
        let missing = workspace.path("missing.sqlite")
        await #expect(throws: (any Error).self) {
            try await workspace.runAsync(["events", "export", "--events", missing, "--output", workspace.path("none.csv")])
        }
        #expect(!FileManager.default.fileExists(atPath: workspace.path("none.csv")))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
