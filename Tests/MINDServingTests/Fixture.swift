import Foundation
import MINDCore
import MINDData
import MINDModels
import MINDTestSupport
@testable import MINDServing

/// One small MIND model trained on planted interests and saved to a model directory, shared by the tests
/// of this target (trained once per test process).
enum Fixture {
    static let trained = SmallModels.trainedDirectory(
        prefix: "mind-serving", users: 400, items: 200, topics: 10, meanLength: 30, minLength: 12, epochs: 2)

    /// A fresh recommender over the fixture's model directory.
    static func recommender(threads: Int = 2) throws -> Recommender {
        try Recommender(directory: trained.directory, threads: threads)
    }

    /// The external ids of items.
    static func ids(_ items: [Int32]) -> [String] { items.map { trained.data.items.ids[Int($0)] } }

    /// A scratch directory removed by the caller.
    static func scratchDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-serving-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
