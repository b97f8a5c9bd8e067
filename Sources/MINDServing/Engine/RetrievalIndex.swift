import Foundation
import MINDCore
import MINDData
import MINDJSON
import MINDRetrieval

/// Which retrieval index a `Recommender` answers with.
public enum IndexKind: String, CaseIterable, Codable, Sendable {
    /// Every item scored: exact, the reference.
    case exact
    /// An hnswlib graph saved beside the model (`index/`), approximate, for large catalogues.
    case hnsw
}

/// The HNSW graph of a model directory: `index/hnsw.bin` and `index/hnsw.json` (its parameters, the item
/// count and dimension, and checksums of the item matrix and of the graph file). A graph is loaded only when
/// all of them match; otherwise it is rebuilt and saved, so a retrained model never serves a stale graph and
/// a damaged file is rebuilt instead of being read.
public enum HNSWStore {
    /// What `open` did.
    public enum Outcome: Equatable, Sendable {
        case loaded
        /// Built, and saved (or not, with the reason: e.g. a read-only model directory).
        case built(savedTo: String?, notSaved: String?)
    }

    struct Manifest: Codable, Equatable {
        var format = "mind-hnsw"
        var formatVersion = 2
        var m: Int
        var efConstruction: Int
        var seed: Int
        var space: HNSWSpace
        var itemCount: Int
        var dimension: Int
        var itemsSHA256: String
        var graphSHA256: String
    }

    /// The graph for `items` from `directory` (normally `<model>/index`), built on `threads` when missing or stale.
    public static func open(
        in directory: URL, items: ItemMatrix, parameters: HNSWParameters, threads: Int
    ) throws -> (HNSWIndex, Outcome) {
        if let problem = parameters.problem { throw HNSWError.invalidParameters(problem) }
        let graphURL = directory.appendingPathComponent("hnsw.bin")
        let manifestURL = directory.appendingPathComponent("hnsw.json")
        let itemsDigest = items.storage.withUnsafeBytes { SHA256.hex(of: $0) }
        if let data = try? Data(contentsOf: manifestURL), let manifest = try? StrictJSON.decode(Manifest.self, from: data),
           manifest.format == "mind-hnsw", manifest.formatVersion == 2, manifest.m == parameters.m,
           manifest.efConstruction == parameters.efConstruction, manifest.seed == parameters.seed,
           manifest.space == parameters.space,
           manifest.itemCount == items.count, manifest.dimension == items.dimension, manifest.itemsSHA256 == itemsDigest,
           (try? SHA256.hex(ofFile: graphURL)) == manifest.graphSHA256 {
            return (try HNSWIndex(loading: graphURL, items: items, parameters: parameters, threads: threads), .loaded)
        }
        let index = try HNSWIndex(items: items, parameters: parameters, threads: threads)
        do {
            try save(index, itemsDigest: itemsDigest, to: directory)
            return (index, .built(savedTo: directory.path, notSaved: nil))
        } catch {
            return (index, .built(savedTo: nil, notSaved: "\(error)"))
        }
    }

    /// Writes graph and manifest under temporary names and renames them into place, manifest last, so a
    /// reader never pairs a manifest with a graph it does not describe.
    static func save(_ index: HNSWIndex, itemsDigest: String, to directory: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        let suffix = ".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
        let graphURL = directory.appendingPathComponent("hnsw.bin")
        let manifestURL = directory.appendingPathComponent("hnsw.json")
        let temporaryGraph = directory.appendingPathComponent("hnsw.bin" + suffix)
        defer { try? manager.removeItem(at: temporaryGraph) }
        try index.save(to: temporaryGraph)
        let manifest = Manifest(
            m: index.parameters.m, efConstruction: index.parameters.efConstruction, seed: index.parameters.seed,
            space: index.parameters.space,
            itemCount: index.count, dimension: index.dimension, itemsSHA256: itemsDigest,
            graphSHA256: try SHA256.hex(ofFile: temporaryGraph))
        try? manager.removeItem(at: manifestURL)  // no manifest while the graph changes
        guard rename(temporaryGraph.path, graphURL.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: manifestURL, options: .atomic)
    }
}
