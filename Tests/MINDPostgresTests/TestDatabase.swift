import Foundation
import MINDCore
import MINDRetrieval
import Testing

/// The PostgreSQL (with pgvector) the tests use: `MIND_TEST_DATABASE_URL`, as `scripts/test.sh` sets it.
enum TestDatabase {
    /// The URL, or nil: then the tests that need a server are skipped.
    static let url: String? = {
        let value = ProcessInfo.processInfo.environment["MIND_TEST_DATABASE_URL"] ?? ""
        return value.isEmpty ? nil : value
    }()

    /// Whether a server is configured.
    static var isAvailable: Bool { url != nil }

    /// Shown when the tests are skipped.
    static let skipReason: Comment = "MIND_TEST_DATABASE_URL is not set: run ./scripts/test.sh, or start a server with scripts/pgvector-server.sh start DIR and export its URL"

    /// The URL of a configured server (only called by tests enabled on `isAvailable`).
    static var configuredURL: String { url ?? "" }
}

/// `count` random item vectors of length `dimension`: Gaussian, or small integers (exact inner products, with ties).
func randomItems(count: Int, dimension: Int, integral: Bool = false, seed: UInt64) -> ItemMatrix {
    var generator = SeededGenerator(seed: seed)
    let values = (0..<(count * dimension)).map { _ in
        integral ? Float(generator.nextInt(below: 7) - 3) : generator.nextNormal()
    }
    return ItemMatrix(count: count, dimension: dimension, storage: values)
}

/// `count` random query vectors, flattened.
func randomQueries(count: Int, dimension: Int, integral: Bool = false, seed: UInt64) -> [Float] {
    randomItems(count: count, dimension: dimension, integral: integral, seed: seed).storage
}

/// True when both lists name the same items in the same order with scores equal up to float rounding.
func sameRanking(_ got: [ScoredItem], _ expected: [ScoredItem], tolerance: Float = 1e-4) -> Bool {
    got.count == expected.count
        && zip(got, expected).allSatisfy { $0.item == $1.item && abs($0.score - $1.score) <= tolerance * max(1, abs($1.score)) }
}
