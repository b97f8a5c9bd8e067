import ArgumentParser
import Testing
@testable import MINDCommands

/// `mind export` flags: numpy is the default format, and bad values are refused before any work.
@Suite("mind export flags")
struct ExportCommandTests {
    @Test func numpyIsTheDefaultFormat() throws {
        let command = try ExportCommand.parse(["--model", "m", "--output", "o"])
        #expect(command.format == .numpy && command.dataset == nil)
    }

    @Test(arguments: [
        ["export", "--model", "m"],
        ["export", "--model", "m", "--output", "o", "--threads", "0"],
        ["export", "--model", "m", "--output", "./m"],
        ["export", "--model", "m", "--dataset", "d", "--output", "d/"],
        ["export", "--model", "m", "--output", "o", "--format", "parquet"],
    ])
    func badFlagsAreRefused(arguments: [String]) {
        #expect(throws: (any Error).self) { try MindCommand.parseAsRoot(arguments) }
    }
}
