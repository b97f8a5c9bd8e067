import ArgumentParser
import Foundation
import MINDData

/// `mind synth`: synthetic logs with planted multi-interest structure, streamed to CSV.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate synthetic interaction logs with planted interests (topic clusters, Zipf popularity).",
        discussion: """
            Writes interactions.csv (user_id,item_id,timestamp) and items.csv (item_id,category) into --output.
            Items are split into topics; each user draws from a few topics; the same seed gives the same files.
            """)

    @Option(help: "Number of users.")
    var users: Int

    @Option(help: "Number of items.")
    var items: Int

    @Option(help: "Number of topics (item clusters).")
    var topics: Int = 20

    @Option(help: "Topics per user, as a range lo..hi (or one number).")
    var interestsPerUser: String = "1..4"

    @Option(help: "Mean number of interactions per user (at least 5).")
    var meanLength: Double = 20

    @Option(help: "Zipf exponent of item popularity within a topic.")
    var zipf: Double = 1.0

    @Option(help: "Probability that the next interaction is a uniformly random item.")
    var noise: Double = 0.0

    @Option(help: "Seed.")
    var seed: UInt64 = 42

    @Option(help: "Output directory for interactions.csv and items.csv.")
    var output: String

    func interestRange() -> ClosedRange<Int>? {
        let parts = interestsPerUser.components(separatedBy: "..")
        if parts.count == 1, let value = Int(parts[0]) { return value...value }
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low <= high else { return nil }
        return low...high
    }

    func config() -> SyntheticConfig {
        SyntheticConfig(
            users: users, items: items, topics: topics, interestsPerUser: interestRange() ?? 1...1, meanLength: meanLength,
            minLength: min(5, max(1, Int(meanLength))), zipfExponent: zipf, noise: noise)
    }

    func validate() throws {
        guard interestRange() != nil else { throw ValidationError("--interests-per-user takes lo..hi, e.g. 1..4") }
        let problems = config().validationErrors()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ")) }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: output, isDirectory: true)
        let start = Date()
        do {
            let summary = try SyntheticWriter.write(
                config(), seed: seed, interactions: directory.appendingPathComponent("interactions.csv"),
                items: directory.appendingPathComponent("items.csv"))
            print("wrote \(summary.rows) interactions of \(summary.users) users over \(summary.items) items "
                + "to \(directory.path)/interactions.csv and items.csv "
                + String(format: "in %.2f s", Date().timeIntervalSince(start)))
        } catch {
            throw CommandError.report(error)
        }
    }
}
