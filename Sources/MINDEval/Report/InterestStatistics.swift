import MINDCore
import MINDData
import MINDModels
import MINDServing

/// Distributions that say whether a model's interests are distinct and its routing decisive, over every
/// user of one split: what `mind report` draws as histograms. The means are those of `InterestStudy`.
public struct InterestStatistics: Sendable, Equatable {
    /// Users measured.
    public var users: Int
    /// Users by their number of active interests (dynamic K): activeCounts[k] users have k interests.
    public var activeCounts: [Int: Int]
    /// The Euclidean norm of every active interest vector.
    public var norms: [Double]
    /// Per user with two or more active interests, the mean cosine between them.
    public var userCosines: [Double]
    /// Per routed real behaviour, its largest coupling weight (1/K' is uniform, 1 a hard assignment); empty
    /// for models without routing.
    public var maxCouplingWeights: [Double]

    /// Measures `recommender` on the `split` users of `dataset`.
    public static func measure(_ recommender: Recommender, dataset: Dataset, split: EvaluationSplit) -> InterestStatistics {
        let model = recommender.model
        let cases = dataset.evaluationCases(split)
        var statistics = InterestStatistics(users: cases.count, activeCounts: [:], norms: [], userCosines: [], maxCouplingWeights: [])
        for start in stride(from: 0, to: cases.count, by: Recommender.encodeChunkSize) {
            let chunk = cases[start..<min(start + Recommender.encodeChunkSize, cases.count)]
            let batch = model.interestBatch(for: chunk, in: dataset)
            let k = batch.interestCount, d = batch.dimension
            for user in 0..<batch.count {
                let active = (0..<k).filter { batch.mask[user * k + $0] }
                statistics.activeCounts[active.count, default: 0] += 1
                let vectors = active.map { batch.vectors[((user * k + $0) * d)..<((user * k + $0 + 1) * d)] }
                var geometry = SetGeometry()
                geometry.add(vectors.flatMap { $0 }, count: 1, setSize: vectors.count, dimension: d) { _ in true }
                statistics.norms += vectors.map { vector in vector.reduce(0) { $0 + Double($1 * $1) }.squareRoot() }
                if let cosine = geometry.cosine.value { statistics.userCosines.append(cosine) }
            }
            guard let routing = model.routing(histories: chunk.map { ArraySlice($0.history) }, profiles: []) else { continue }
            let l = routing.weights.shape[2]  // weights [B, K, L]
            for user in 0..<batch.count {
                for position in 0..<l {
                    let weights = (0..<k).map { Double(routing.weights.storage[(user * k + $0) * l + position]) }
                    // Padding positions carry no weight on any interest.
                    if let largest = weights.max(), largest > 0 { statistics.maxCouplingWeights.append(largest) }
                }
            }
        }
        return statistics
    }

    /// The mean of `values`, nil when empty.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
