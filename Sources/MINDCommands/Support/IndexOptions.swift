import ArgumentParser
import Foundation
import MINDCore
import MINDRetrieval
import MINDServing

extension IndexKind: ExpressibleByArgument {}
extension HNSWSpace: ExpressibleByArgument {}

/// `--index` and the HNSW parameters, shared by the commands that retrieve.
struct IndexOptions: ParsableArguments {
    @Option(help: "Retrieval index: exact (every item scored) or hnsw (approximate; the graph is built on first use and kept in MODEL/index).")
    var index: IndexKind = .exact
    @Option(name: .customLong("hnsw-m"), help: "HNSW links per node.") var hnswM: Int = HNSWParameters().m
    @Option(name: .customLong("hnsw-ef-construction"), help: "HNSW candidates while building.") var hnswEfConstruction: Int = HNSWParameters().efConstruction
    @Option(name: .customLong("hnsw-ef"), help: "HNSW candidates while searching (raised to the number of results).") var hnswEf: Int = HNSWParameters().ef
    @Option(name: .customLong("hnsw-space"), help: "Space of the HNSW graph: euclidean (inner product reduced to nearest neighbours) or inner-product.")
    var hnswSpace: HNSWSpace = HNSWParameters().space

    var parameters: HNSWParameters { HNSWParameters(m: hnswM, efConstruction: hnswEfConstruction, ef: hnswEf, space: hnswSpace) }

    func validate() throws {
        if let problem = parameters.problem { throw ValidationError(problem) }
    }

    /// The model directory at `path` with the chosen index; says on stderr when a graph had to be built.
    func openRecommender(_ path: String, threads: Int) throws -> Recommender {
        let start = DispatchTime.now().uptimeNanoseconds
        let (recommender, outcome) = try Recommender.open(
            directory: URL(fileURLWithPath: path), index: index, hnsw: parameters, threads: threads)
        if case .built(let savedTo, let notSaved) = outcome {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            Terminal.note(String(format: "built the HNSW graph of %d items in %.1f s", recommender.items.count, seconds)
                          + (savedTo.map { "; saved to \($0)" } ?? "; not saved (\(notSaved ?? "unknown reason"))"))
        }
        return recommender
    }
}
