import ArgumentParser
import Dispatch
import Foundation
import MINDData

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif


/// `mind prepare`: logs -> dataset directory (vocabularies, chronological sequences, split, features, manifest).
struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Turn interaction logs (CSV, TSV, RecBole atomic files) into a dataset directory.",
        discussion: """
            Ratings at or above --min-rating become implicit interactions; the k-core filter runs to a fixed point; each user's interactions are sorted by timestamp (ties keep file order). The output is written to a temporary directory and renamed into place, so a failed run leaves nothing behind.
            """)

    @Option(help: "Interactions file: CSV/TSV with a header, or RecBole .inter.")
    var interactions: String

    @Option(help: "Items file: item id plus categorical columns (multi-valued ones |-separated; RecBole .item).")
    var items: String?

    @Option(help: "Users file: user id plus categorical columns (RecBole .user).")
    var users: String?

    @Option(help: "Keep only ratings at or above this value (default: keep all).")
    var minRating: Double?

    @Option(help: "k-core: minimum interactions per user.")
    var minUserCount: Int = 5

    @Option(help: "k-core: minimum interactions per item.")
    var minItemCount: Int = 5

    @Option(help: "Evaluation split: users (ComiRec) or leave-one-out (the MIND paper).")
    var split: SplitKind = .users

    @Option(help: "train:valid:test user ratios for the users split; a test share of 0 is allowed (9:1:0).")
    var splitRatios: String = "8:1:1"

    @Option(help: "Share of a valid/test user's sequence given as history (users split).")
    var historyFraction: Double = 0.8

    @Option(help: "Seed for the user split.")
    var seed: UInt64 = 42

    @Flag(help: "Skip malformed rows (and report how many, by kind) instead of failing.")
    var skipInvalid = false

    @Option(help: "User id column.")
    var userColumn: String = "user_id"

    @Option(help: "Item id column.")
    var itemColumn: String = "item_id"

    @Option(help: "Id column of the items file (default: the --item-column name).")
    var itemsIdColumn: String?

    @Option(help: "Id column of the users file (default: the --user-column name).")
    var usersIdColumn: String?

    @Option(help: "Timestamp column (used when present; without one, file order is the time order).")
    var timestampColumn: String?

    @Option(help: "Rating column (used when present).")
    var ratingColumn: String?

    @Option(help: "Comma-separated item columns to use as features (default: chosen automatically).")
    var itemFeatures: String?

    @Option(help: "Comma-separated user columns to use as features (default: chosen automatically).")
    var userFeatures: String?

    @Option(help: "Output dataset directory (replaced if it holds a dataset and nothing else; any other non-empty directory is refused).")
    var output: String

    @Flag(help: "Print the report as JSON instead of text.")
    var json = false

    @Flag(help: "Load the written dataset back, check it against what was built, and print the load time.")
    var verify = false

    func ratios() -> [Int]? {
        let parts = splitRatios.split(separator: ":").map { Int($0) }
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0 != nil }) else { return nil }
        return parts.compactMap { $0 }
    }

    func options() -> PrepareOptions {
        var columns = InteractionColumns(user: userColumn, item: itemColumn)
        if let timestampColumn {
            columns.timestamp = timestampColumn
            columns.requireTimestamp = true
        }
        if let ratingColumn {
            columns.rating = ratingColumn
            columns.requireRating = true
        }
        func list(_ text: String?) -> [String]? {
            text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }
        return PrepareOptions(
            minRating: minRating, minUserCount: minUserCount, minItemCount: minItemCount, split: split,
            splitRatios: ratios() ?? [], historyFraction: historyFraction, seed: seed, skipInvalid: skipInvalid,
            columns: columns, itemFeatures: list(itemFeatures), userFeatures: list(userFeatures))
    }

    func validate() throws {
        guard ratios() != nil else { throw ValidationError("--split-ratios takes train:valid:test, e.g. 8:1:1 or 9:1:0") }
        let problems = options().validationErrors()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ")) }
        for path in [interactions, items, users].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("no such file: \(path)")
        }
        if itemFeatures != nil && items == nil { throw ValidationError("--item-features needs --items, the file they are read from") }
        if userFeatures != nil && users == nil { throw ValidationError("--user-features needs --users, the file they are read from") }
        try checkOutputDirectory(output, option: "--output", inputs: [("--interactions", interactions), ("--items", items), ("--users", users)])
    }

    func run() throws {
        let outputURL = URL(fileURLWithPath: output)
        let interruptions = Interruption { StagedDirectory.removeTemporaryDirectories(for: outputURL) }
        defer { interruptions.cancel() }
        let start = DispatchTime.now()
        do {
            let (dataset, report) = try DatasetPreparation.run(
                .init(
                    interactions: URL(fileURLWithPath: interactions), items: items.map { URL(fileURLWithPath: $0) },
                    users: users.map { URL(fileURLWithPath: $0) }, itemIdColumn: itemsIdColumn, userIdColumn: usersIdColumn),
                options: options(), createdBy: "mind \(MindVersion.string)")
            let built = DispatchTime.now()
            try dataset.write(to: outputURL, report: report)
            let written = DispatchTime.now()
            let loadSeconds = verify ? try dataset.verifyWritten(at: outputURL) : nil
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(PrepareReportText.render(report, dataset: dataset, output: outputURL.path))
                let readSeconds = Double(built.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
                let writeSeconds = Double(written.uptimeNanoseconds - built.uptimeNanoseconds) / 1e9
                print(String(format: "time: read and build %.2f s, write %.2f s", readSeconds, writeSeconds)
                    + (loadSeconds.map { String(format: ", load back %.1f ms (verified)", $0 * 1000) } ?? ""))
            }
        } catch {
            throw CommandError.report(error)
        }
    }
}

/// Prints `error: <description>` to stderr and exits non-zero, the way every command reports failures.
enum CommandError {
    static func report(_ error: Error) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        return ExitCode.failure
    }
}
