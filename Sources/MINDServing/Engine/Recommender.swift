import Foundation
import MINDCore
import MINDData
import MINDModels
import MINDRetrieval

/// A trained model ready to answer: model, item matrix, index, vocabularies and profile schema, loaded once,
/// immutable and shared by any number of concurrent callers (batch recommendation, `serve`, `explain`).
///
/// Every call builds its own tape and reads the weights only; nothing is cached or mutated, so calls from
/// many tasks at once give the same answers as the same calls one after another.
public struct Recommender: Sendable {
    /// The trained two-tower model.
    public let model: RecommenderModel
    /// The model directory's description: config, schema, item ids, popularity.
    public let bundle: ModelBundle
    /// The catalogue's item vectors, row i is item i. // [itemCount, d]
    public let items: ItemMatrix
    /// Retrieval over `items` by inner product.
    public let index: any VectorIndex
    /// External item id <-> item index.
    public let itemVocabulary: Vocabulary
    /// The fallback ranking for a history with no known item.
    public let popularity: MostPopular
    /// Threads one batch call may use; a single history always runs on the calling thread.
    public let threads: Int
    /// Every item id as a JSON string literal, for answers written without building id strings.
    public let itemIDLiterals: JSONLiterals
    /// ComiRec's controllable aggregation in place of the best-score merge of the interests, when set.
    public private(set) var aggregation: DiverseAggregation?

    /// Histories encoded per tape: fixed, so a batch's interests do not depend on the thread count.
    public static let encodeChunkSize = 256

    /// Loads the model directory `directory` (config, weights, vocabularies) with an exact index.
    public init(directory: URL, threads: Int = Parallel.availableCores) throws {
        let (model, bundle) = try ModelBundle.loadModel(from: directory)
        self.init(model: model, bundle: bundle, threads: threads)
    }

    /// Loads the model directory `directory` with the index `kind`; an HNSW graph comes from `directory/index`,
    /// built (and saved there) when missing or made for other items or parameters. Returns what happened to it.
    public static func open(
        directory: URL, index kind: IndexKind, hnsw: HNSWParameters = HNSWParameters(), threads: Int = Parallel.availableCores
    ) throws -> (Recommender, HNSWStore.Outcome?) {
        let (model, bundle) = try ModelBundle.loadModel(from: directory)
        switch kind {
        case .exact:
            return (Recommender(model: model, bundle: bundle, threads: threads), nil)
        case .hnsw:
            let items = model.itemMatrix()
            let (graph, outcome) = try HNSWStore.open(
                in: directory.appendingPathComponent("index"), items: items, parameters: hnsw, threads: threads)
            return (Recommender(model: model, bundle: bundle, items: items, index: graph, threads: threads), outcome)
        }
    }

    /// Wraps a trained model; `items` defaults to the model's item vectors and `index` to the exact index over them.
    public init(
        model: RecommenderModel, bundle: ModelBundle, items: ItemMatrix? = nil, index: (any VectorIndex)? = nil,
        threads: Int = Parallel.availableCores
    ) {
        precondition(threads > 0, "A recommender needs at least one thread.")
        precondition(bundle.itemIDs.count == model.schema.itemCount, "The bundle's item ids must match the model's items.")
        self.model = model
        self.bundle = bundle
        let items = items ?? model.itemMatrix()
        precondition(index.map { $0.count == items.count && $0.dimension == items.dimension } ?? true,
                     "The index must cover the model's items.")
        self.items = items
        self.index = index ?? ExactIndex(items: items, threads: threads)
        itemVocabulary = Vocabulary(ids: bundle.itemIDs)
        itemIDLiterals = JSONLiterals(bundle.itemIDs)
        popularity = MostPopular(counts: bundle.itemPopularity)
        self.threads = threads
    }

    /// The item ids of the catalogue, by index.
    public var itemIDs: [String] { bundle.itemIDs }

    /// The same recommender merging its interests by `aggregation` (nil: by the best score).
    public func aggregating(by aggregation: DiverseAggregation?) -> Recommender {
        var copy = self
        copy.aggregation = aggregation
        return copy
    }

    // MARK: - External ids

    /// The top `count` items for one history of external ids (oldest first), best first, the history and
    /// `exclude` left out, each tagged with the interest that retrieved it (-1: the popularity fallback
    /// for a history with no known item). Unknown ids are skipped and counted.
    public func recommend(
        history: [String], profile: [String: String] = [:], count: Int, exclude: [String] = []
    ) -> Recommendation {
        recommend([RecommendationRequest(history: history, profile: profile, exclude: exclude)], count: count)[0]
    }

    /// `recommend(history:profile:count:exclude:)` for many requests at once, spread over `threads`.
    public func recommend(_ requests: [RecommendationRequest], count: Int) -> [Recommendation] {
        precondition(count >= 0, "The number of recommendations must be non-negative.")
        var unknown = [Int](repeating: 0, count: requests.count)
        var histories: [[Int32]] = []
        var exclusions: [[Int32]] = []
        for (i, request) in requests.enumerated() {
            let (known, missing) = itemIndices(request.history)
            unknown[i] = missing
            histories.append(known)
            exclusions.append(known + itemIndices(request.exclude).known)
        }
        let profiles = requests.map { profileValues($0.profile) }
        let ranked = retrieve(histories: histories, profiles: profiles, count: count, exclude: exclusions)
        return requests.indices.map { i in
            Recommendation(user: requests[i].user, items: ranked[i].map { bundle.itemIDs[Int($0.item)] },
                           scores: ranked[i].map(\.score), interests: ranked[i].map(\.interest), unknownItems: unknown[i])
        }
    }

    /// `recommend(history:profile:count:exclude:)` as item indices, without building the id strings (the serving
    /// path writes ids from `itemIDLiterals`).
    public func rankedItems(history: [String], profile: [String: String] = [:], count: Int, exclude: [String] = []) -> [ScoredItem] {
        let known = itemIndices(history).known
        return retrieve(histories: [known], profiles: [profileValues(profile)], count: count,
                        exclude: [known + itemIndices(exclude).known])[0]
    }

    /// One history's interests (external ids, oldest first), with the behaviours each draws on.
    public func interests(history: [String], profile: [String: String] = [:]) -> ExtractedInterests {
        let (known, missing) = itemIndices(history)
        var extracted = interests(history: known, profile: profileValues(profile))
        extracted.unknownItems = missing
        return extracted
    }

    /// Known item indices of `ids`, in order, and how many ids were unknown.
    public func itemIndices(_ ids: [String]) -> (known: [Int32], unknown: Int) {
        var known: [Int32] = []
        known.reserveCapacity(ids.count)
        for id in ids {
            if let index = itemVocabulary.index(of: id) { known.append(index) }
        }
        return (known, ids.count - known.count)
    }

    /// Entries of `profile` this model cannot use: fields it does not read (all of them, when it reads no profile),
    /// and values its vocabulary does not hold (read as "unknown").
    public func unknownProfileEntries(_ profile: [String: String]) -> Int {
        let features = model.usesProfile ? model.schema.userFeatures : []
        return profile.filter { name, value in
            guard let spec = features.first(where: { $0.name == name }) else { return true }
            return spec.index(of: value) == 0
        }.count
    }

    /// Profile value indices in the model's feature order (0 where unknown or absent); empty when the model
    /// reads no profile.
    public func profileValues(_ profile: [String: String]) -> [Int32] {
        guard model.usesProfile else { return [] }
        return model.schema.userFeatures.map { spec in profile[spec.name].map { spec.index(of: $0) } ?? 0 }
    }

    // MARK: - Item indices

    /// Per history the top `count` items by max over its interests of e_i . u_k, `exclude[i]` left out;
    /// an empty history gets the most popular items (interest -1). profiles: one [F] list per history
    /// (or none at all).
    public func retrieve(histories: [[Int32]], profiles: [[Int32]] = [], count: Int, exclude: [[Int32]]) -> [[ScoredItem]] {
        precondition(exclude.count == histories.count, "Give one exclusion list per history.")
        precondition(profiles.isEmpty || profiles.count == histories.count, "Give one profile per history, or none.")
        var ranked = [[ScoredItem]](repeating: [], count: histories.count)
        let withHistory = histories.indices.filter { !histories[$0].isEmpty }
        if !withHistory.isEmpty && count > 0 {
            let flatProfiles = model.usesProfile
                ? withHistory.flatMap { profiles.isEmpty ? [] : profiles[$0] } : []
            let batch = interestBatch(histories: withHistory.map { ArraySlice(histories[$0]) }, profiles: flatProfiles)
            let exclusions = withHistory.map { exclude[$0] }
            let lists = aggregation.map { index.recommend(interests: batch, n: count, exclude: exclusions, aggregation: $0) }
                ?? index.recommend(interests: batch, n: count, exclude: exclusions)
            for (position, i) in withHistory.enumerated() { ranked[i] = lists[position] }
        }
        for i in histories.indices where histories[i].isEmpty {
            ranked[i] = popularity.recommend(history: exclude[i], n: count).map { ScoredItem(item: $0.item, score: $0.score, interest: -1) }
        }
        return ranked
    }

    /// Interests of many non-empty histories (profiles [B * F], or empty when unknown), encoded in chunks of
    /// `encodeChunkSize` spread over `threads`. A history's interests do not depend on its neighbours.
    public func interestBatch(histories: [ArraySlice<Int32>], profiles: [Int32]) -> InterestBatch {
        let chunkCount = (histories.count + Self.encodeChunkSize - 1) / Self.encodeChunkSize
        guard chunkCount > 1 else { return model.interestBatch(histories: histories, profiles: profiles) }
        let featureCount = profiles.isEmpty ? 0 : profiles.count / histories.count
        var parts = [InterestBatch?](repeating: nil, count: chunkCount)
        let workers = min(threads, chunkCount)
        parts.withUnsafeMutableBufferPointer { buffer in
            let slots = buffer
            Parallel.run(workers: workers) { worker in
                for chunk in stride(from: worker, to: chunkCount, by: workers) {
                    let range = (chunk * Self.encodeChunkSize)..<min((chunk + 1) * Self.encodeChunkSize, histories.count)
                    let chunkProfiles = featureCount == 0 ? [] : Array(profiles[(range.lowerBound * featureCount)..<(range.upperBound * featureCount)])
                    slots[chunk] = model.interestBatch(histories: Array(histories[range]), profiles: chunkProfiles)
                }
            }
        }
        let pieces = parts.compactMap { $0 }
        return InterestBatch(count: histories.count, interestCount: pieces[0].interestCount, dimension: pieces[0].dimension,
                             vectors: pieces.flatMap(\.vectors), mask: pieces.flatMap(\.mask))
    }

    /// One history's interests (item indices, oldest first; profile [F] or empty), with routing detail.
    public func interests(history: [Int32], profile: [Int32] = []) -> ExtractedInterests {
        let routed = Array(history.suffix(model.config.maxHistoryLength))
        guard !history.isEmpty else {
            return ExtractedInterests(behaviours: [], vectors: [], active: [], couplingWeights: nil, unknownItems: 0)
        }
        let batch = model.interestBatch(histories: [ArraySlice(history)], profiles: profile)
        let k = batch.interestCount, d = batch.dimension
        let vectors = (0..<k).map { Array(batch.vectors[($0 * d)..<(($0 + 1) * d)]) }
        var coupling: [[Float]]?
        if let routing = model.routing(histories: [ArraySlice(history)], profiles: profile) {
            let length = routing.weights.shape[2]  // [1, K, L]
            coupling = (0..<k).map { interest in
                (0..<routed.count).map { routing.weights.storage[interest * length + $0] }
            }
        }
        return ExtractedInterests(behaviours: routed, vectors: vectors, active: Array(batch.mask), couplingWeights: coupling, unknownItems: 0)
    }
}
