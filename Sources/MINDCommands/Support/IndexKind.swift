import ArgumentParser
import Foundation
import MINDModels
import MINDPostgres
import MINDServing

/// Which retrieval index answers `mind recommend`.
enum IndexKind: String, CaseIterable, ExpressibleByArgument {
    /// The exact in-memory index over the model's item vectors.
    case exact
    /// A PostgreSQL table written by `mind pgvector-export`, searched through its HNSW index.
    case pgvector
}

extension RecommendCommand {
    /// The model at `--model` with the index `--index` asks for; a pgvector table must match the model's items.
    func makeRecommender() throws -> Recommender {
        switch index {
        case .exact:
            return try Recommender(directory: URL(fileURLWithPath: model), threads: threads)
        case .pgvector:
            guard let database else { throw ValidationError("--index pgvector needs --database URL") }
            let (loaded, bundle) = try ModelBundle.loadModel(from: URL(fileURLWithPath: model))
            // One connection per batch worker, up to four: more only queue on the server's cores.
            let vectors = try PGVectorIndex(url: database, table: table, connections: min(threads, 4))
            try vectors.check(matches: loaded.itemMatrix())
            return Recommender(model: loaded, bundle: bundle, index: vectors, threads: threads)
        }
    }

    /// Fails the run if the pgvector index hid a database error behind empty answers; a batch output is removed.
    func checkIndex(of engine: Recommender, output: String? = nil) throws {
        guard let vectors = engine.index as? PGVectorIndex, let failure = vectors.failure else { return }
        if let output { try? FileManager.default.removeItem(atPath: output) }
        throw failure
    }
}
