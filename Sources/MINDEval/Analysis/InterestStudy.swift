import MINDCore
import MINDData
import MINDModels
import MINDRetrieval
import MINDServing

/// How distinct a model's interests are, how decisive its routing is, and what the extra interests add to
/// recall against the same model collapsed to one vector, plus k-means probes of the item space alone.
/// The numbers behind BENCHMARKS.md's routing study; `mind bench interests` prints them.
public struct InterestStudy: Sendable, Equatable {
    /// Users measured.
    public var users: Int
    /// Recall@N with all active interests, with the first interest only, and with their mean.
    public var recallAllInterests: Double
    public var recallFirstInterest: Double
    public var recallMeanOfInterests: Double
    /// Recall@N with k-means centroids of the history's item vectors as interests, by cluster count.
    public var recallItemKMeans: [Int: Double]
    /// |mean e| / mean |e| over the catalogue: how much of the item vectors is one shared direction.
    public var itemSharedDirection: Double
    /// Mean cosine between a user's active interests, and their mean norm (nil for one-vector models).
    public var interestPairwiseCosine: Double?
    public var interestNorm: Double?
    /// The same for the routing capsules before any MLP (nil without routing).
    public var capsulePairwiseCosine: Double?
    public var capsuleNorm: Double?
    /// Per real behaviour its largest coupling weight, averaged: 1/K' is uniform, 1 a hard assignment.
    public var maxCouplingWeight: Double?

    /// Measures `recommender` on the `split` users of `dataset` at cut-off `cutoff`.
    public static func measure(
        _ recommender: Recommender, dataset: Dataset, split: EvaluationSplit, cutoff: Int, kMeansClusters: [Int] = [1, 2, 4]
    ) throws -> InterestStudy {
        let model = recommender.model
        let cases = dataset.evaluationCases(split)
        let chunkSize = Recommender.encodeChunkSize
        // Each user is encoded once; the recall variants re-assemble the evaluator's chunks from these rows.
        var encoded: [Int32: (vectors: ArraySlice<Float>, mask: ArraySlice<Bool>)] = [:]
        var interests = SetGeometry(), capsules = SetGeometry()
        var couplingMaxima = Mean()
        var shape = (interestCount: 1, dimension: recommender.items.dimension)
        for start in stride(from: 0, to: cases.count, by: chunkSize) {
            let chunk = cases[start..<min(start + chunkSize, cases.count)]
            let batch = model.interestBatch(for: chunk, in: dataset)
            let k = batch.interestCount, d = batch.dimension
            shape = (k, d)
            for (row, user) in chunk.map(\.user).enumerated() {
                encoded[user] = (batch.vectors[(row * k * d)..<((row + 1) * k * d)], batch.mask[(row * k)..<((row + 1) * k)])
            }
            interests.add(batch.vectors, count: batch.count, setSize: k, dimension: d) { batch.mask[$0] }
            guard let routing = model.routing(histories: chunk.map { ArraySlice($0.history) }, profiles: []) else { continue }
            let l = routing.weights.shape[2]  // weights [B, K, L]; capsules [B, K, d]
            capsules.add(routing.capsules.storage, count: batch.count, setSize: k, dimension: d) { routing.interestMask[$0] != 0 }
            for user in 0..<batch.count {
                for position in 0..<l where routing.weights.storage[user * k * l + position] > 0 {
                    let weights = (0..<k).map { Double(routing.weights.storage[(user * k + $0) * l + position]) }
                    couplingMaxima.add(weights.max() ?? 0)
                }
            }
        }

        let assemble = { (chunk: ArraySlice<EvaluationCase>) -> InterestBatch in
            InterestBatch(count: chunk.count, interestCount: shape.interestCount, dimension: shape.dimension,
                          vectors: chunk.flatMap { encoded[$0.user]?.vectors ?? [] }, mask: chunk.flatMap { encoded[$0.user]?.mask ?? [] })
        }
        let evaluator = try Evaluator(cutoffs: [cutoff])
        func recall(_ interests: (ArraySlice<EvaluationCase>) -> InterestBatch) throws -> Double {
            try evaluator.evaluate(cases, index: recommender.index, interests: interests).rows[0].recall
        }
        let length = model.config.maxHistoryLength
        var kMeans: [Int: Double] = [:]
        for clusters in kMeansClusters {
            kMeans[clusters] = try recall { chunk in
                InterestBatch(kMeansOf: chunk.map { $0.history.suffix(length) }, items: recommender.items, clusters: clusters)
            }
        }
        return InterestStudy(
            users: cases.count, recallAllInterests: try recall(assemble),
            recallFirstInterest: try recall { assemble($0).keepingFirstInterest() },
            recallMeanOfInterests: try recall { assemble($0).meanOfInterests() },
            recallItemKMeans: kMeans, itemSharedDirection: recommender.items.sharedDirection(),
            interestPairwiseCosine: interests.cosine.value, interestNorm: interests.norm.value,
            capsulePairwiseCosine: capsules.cosine.value, capsuleNorm: capsules.norm.value,
            maxCouplingWeight: couplingMaxima.value)
    }
}
