import ArgumentParser
import MINDCore

/// The `mind` command line: one small command per capability, each a thin shell over the libraries.
public struct MindCommand: AsyncParsableCommand {
    public init() {}

    /// Start-up, then the command: the process-wide settings (OpenBLAS kernels and threads, the allocator)
    /// are made here, once, before any work; libraries take thread budgets as values.
    public static func start() async {
        FastBLAS.ensureBestKernels()
        MemoryTuning.keepLargeBuffersInHeap()
        BLAS.setThreadCount(1)
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()  // serve
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    public static let configuration = CommandConfiguration(
        commandName: "mind",
        abstract: "MIND: multi-interest recommendation with dynamic routing, on the CPU.",
        version: MindVersion.string,
        subcommands: [DemoCommand.self, PrepareCommand.self, TrainCommand.self, EvaluateCommand.self, CompareCommand.self, RecommendCommand.self, ExplainCommand.self, ReportCommand.self, ExportCommand.self, PGVectorExportCommand.self, ServeCommand.self, EventsCommand.self, SynthCommand.self, FetchCommand.self, BenchCommand.self]
    )
}

enum MindVersion {
    static let string = "0.1.0"
}
