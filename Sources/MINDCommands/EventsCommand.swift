import ArgumentParser
import Foundation
import MINDCore
import MINDPostgres
import MINDServer
import MINDServing

/// `mind events`: the service's event log, back to training.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Work with the event log of 'mind serve'.",
        subcommands: [EventsExportCommand.self])
}

/// `mind events export`: the log as CSV that `mind prepare --interactions` reads, so what the service logged
/// trains the next model.
struct EventsExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the event log as CSV (user_id,item_id,timestamp), in the order written, for 'mind prepare' (which orders each user's events by timestamp).",
        discussion: """
            The file is written to a temporary name and renamed, so it is whole or absent. Train on the service's events with: mind prepare --interactions events.csv --timestamp-column timestamp --output DATASET. Exporting while the service runs is safe: the file holds every event committed when the export started reading.
            """)

    @Option(help: "SQLite event log written by 'mind serve --events'.") var events: String?
    @Option(help: "PostgreSQL event log: postgres://user:password@host:port/database.") var eventsDatabase: String?
    @Option(help: "Table of the PostgreSQL event log.") var eventsTable: String = PostgresEventStore.defaultTable
    @Option(help: "Output CSV file.") var output: String

    func validate() throws {
        guard (events == nil) != (eventsDatabase == nil) else { throw ValidationError("give exactly one of --events and --events-database") }
        if let events, !FileManager.default.fileExists(atPath: events) {
            throw ValidationError("no event log at \(events)")
        }
        try checkOutputPath(output, option: "--output", inputs: [("--events", events)])
    }

    func run() async throws {
        do {
            let store: any EventStore
            if let eventsDatabase {
                store = try await PostgresEventStore(url: eventsDatabase, table: eventsTable, readOnly: true)
            } else {
                store = try SQLiteEventStore(path: events!, readOnly: true)
            }
            var text = Data("user_id,item_id,timestamp\n".utf8)
            var count = 0
            do {
                try await store.replay(after: 0, batchSize: 50_000) { batch in
                    for stored in batch {
                        text.append(contentsOf: Self.csvField(stored.event.user).utf8)
                        text.append(0x2C)
                        text.append(contentsOf: Self.csvField(stored.event.item).utf8)
                        text.append(0x2C)
                        text.append(contentsOf: String(stored.event.timestamp).utf8)
                        text.append(0x0A)
                    }
                    count += batch.count
                }
            } catch {
                try? await store.close()
                throw error
            }
            try await store.close()
            try AtomicFile.write(text, to: URL(fileURLWithPath: output))
            Terminal.note("wrote \(count) events to \(output)")
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandError.report(error)
        }
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
