import ArgumentParser
import Foundation
@testable import MINDCommands

/// A scratch directory in which `mind` commands run in-process, as the tests that go from logs to a model do.
struct CommandWorkspace {
    let directory: URL

    /// A new empty directory; call `remove()` when done.
    init(prefix: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the workspace.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Parses and runs one `mind` command line, as the executable would.
    func run(_ arguments: [String]) throws {
        var command = try MindCommand.parseAsRoot(arguments)
        try command.run()
    }

    /// `run` for the commands that are asynchronous (serve, events).
    func runAsync(_ arguments: [String]) async throws {
        let parsed = try MindCommand.parseAsRoot(arguments)
        guard var command = parsed as? AsyncParsableCommand else {
            var command = parsed
            return try command.run()
        }
        try await command.run()
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
