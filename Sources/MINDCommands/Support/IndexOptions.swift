import ArgumentParser
import Foundation
import MINDCore
import MINDModels
import MINDPostgres
import MINDRetrieval
import MINDServing

extension HNSWSpace: ExpressibleByArgument {}

/// Which index answers the commands that retrieve.
enum RetrievalIndex: String, CaseIterable, ExpressibleByArgument {
    /// Every item scored, in memory.
    case exact
    /// An hnswlib graph built on first use and kept in MODEL/index.
    case hnsw
    /// A PostgreSQL table written by `mind pgvector-export`, searched through its pgvector HNSW index.
    case pgvector
}

/// `--index` with the HNSW and pgvector settings, shared by `recommend` and `evaluate`.
struct IndexOptions: ParsableArguments {
    @Option(help: "Retrieval index: exact (every item scored), hnsw (approximate; the graph is built on first use and kept in MODEL/index) or pgvector (a table written by 'mind pgvector-export').")
    var index: RetrievalIndex = .exact
    @Option(name: .customLong("hnsw-m"), help: "HNSW links per node.") var hnswM: Int = HNSWParameters().m
    @Option(name: .customLong("hnsw-ef-construction"), help: "HNSW candidates while building.") var hnswEfConstruction: Int = HNSWParameters().efConstruction
    @Option(name: .customLong("hnsw-ef"), help: "HNSW candidates while searching (raised to the number of results).") var hnswEf: Int = HNSWParameters().ef
    @Option(name: .customLong("hnsw-space"), help: "Space of the HNSW graph: euclidean (inner product reduced to nearest neighbours) or inner-product.")
    var hnswSpace: HNSWSpace = HNSWParameters().space
    @Option(help: "PostgreSQL URL for --index pgvector: postgres://user:password@host:port/database.") var database: String?
    @Option(help: "Table for --index pgvector.") var table: String = PGVectorStore.defaultTable

    var parameters: HNSWParameters { HNSWParameters(m: hnswM, efConstruction: hnswEfConstruction, ef: hnswEf, space: hnswSpace) }

    func validate() throws {
        if let problem = parameters.problem { throw ValidationError(problem) }
        if index == .pgvector && database == nil { throw ValidationError("--index pgvector needs --database URL") }
    }

    /// The model directory at `path` with the chosen index; says on stderr when a graph had to be built.
    func openRecommender(_ path: String, threads: Int) throws -> Recommender {
        let directory = URL(fileURLWithPath: path)
        switch index {
        case .exact:
            return try Recommender(directory: directory, threads: threads)
        case .hnsw:
            let start = DispatchTime.now().uptimeNanoseconds
            let (recommender, outcome) = try Recommender.open(directory: directory, index: .hnsw, hnsw: parameters, threads: threads)
            if case .built(let savedTo, let notSaved) = outcome {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                Terminal.note(String(format: "built the HNSW graph of %d items in %.1f s", recommender.items.count, seconds)
                              + (savedTo.map { "; saved to \($0)" } ?? "; not saved (\(notSaved ?? "unknown reason"))"))
            }
            return recommender
        case .pgvector:
            guard let database else { throw ValidationError("--index pgvector needs --database URL") }
            let (model, bundle) = try ModelBundle.loadModel(from: directory)
            // One connection per batch worker, up to four: more only queue on the server's cores.
            let vectors = try PGVectorIndex(url: database, table: table, connections: min(threads, 4))
            let items = model.itemMatrix()
            try vectors.check(matches: items)
            return Recommender(model: model, bundle: bundle, items: items, index: vectors, threads: threads)
        }
    }

    /// Fails the run if the pgvector index hid a database error behind empty answers; a batch output is removed.
    func checkIndex(of engine: Recommender, output: String? = nil) throws {
        guard let vectors = engine.index as? PGVectorIndex, let failure = vectors.failure else { return }
        if let output { try? FileManager.default.removeItem(atPath: output) }
        throw failure
    }
}
