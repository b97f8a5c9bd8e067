import Foundation
import Hummingbird
import HummingbirdTesting
import MINDData
import MINDServer
import MINDServing
import MINDTestSupport
import NIOCore

/// One small MIND model trained on planted interests (once per test process), and services built over it.
enum ServerFixture {
    static let trained = SmallModels.trainedDirectory(
        prefix: "mind-server", users: 300, items: 120, topics: 8, meanLength: 25, minLength: 10, epochs: 1)

    static func recommender() throws -> Recommender { try Recommender(directory: trained.directory, threads: 1) }

    /// Item ids of the catalogue.
    static var itemIDs: [String] { trained.data.items.ids }

    static func scratchDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mind-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A service over the fixture's model with a fresh SQLite log in `directory`.
    static func service(in directory: URL, settings: ServiceSettings = ServiceSettings(), reloadable: Bool = true) throws -> RecommendationService {
        let store = try SQLiteEventStore(path: directory.appendingPathComponent("events.sqlite").path)
        let modelDirectory = trained.directory
        let load: @Sendable () throws -> Recommender = { try Recommender(directory: modelDirectory, threads: 1) }
        return RecommendationService(
            online: OnlineRecommender(recommender: try recommender()), store: store, settings: settings,
            loadModel: reloadable ? load : nil)
    }

    /// Runs `body` against the service's router in-process.
    static func withClient(_ service: RecommendationService, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(responder: service.responder())
        try await app.test(.router, body)
    }
}

/// Decoded JSON of an answer.
func json(_ response: TestResponse) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
    guard let dictionary = object as? [String: Any] else { throw CocoaError(.coderReadCorrupt) }
    return dictionary
}

func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

let jsonHeaders: HTTPFields = [.contentType: "application/json"]
