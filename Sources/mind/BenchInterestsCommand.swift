import ArgumentParser
import Foundation
import MINDData
import MINDEval
import MINDModels
import MINDRetrieval

/// `mind bench interests`: how distinct a model's interests are, how decisive its routing is,
/// and what the extra interests add to recall against the same model collapsed to one vector.
/// Also probes the item space alone: k-means centroids of a history's item vectors as
/// interests, against their mean. The numbers behind BENCHMARKS.md's routing study.
struct InterestsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interests",
        abstract: "Diversity of a model's interests and routing, and Recall@N with all interests against one (prints a JSON line).")

    @Option(help: "Model directory written by 'mind train'.") var model: String
    @Option(help: "Dataset directory written by 'mind prepare'.") var dataset: String
    @Option(help: "Which users: valid or test.") var split: String = "valid"
    @Option(help: "Cut-off N.") var at: Int = 50

    func validate() throws {
        guard EvaluationSplit(rawValue: split) != nil else { throw ValidationError("--split must be valid or test") }
        guard at > 0 else { throw ValidationError("--at must be positive") }
    }

    func run() throws {
        let data = try DatasetStore.load(from: URL(fileURLWithPath: dataset))
        let (recommender, _) = try loadModel(model, toRunOn: data, at: dataset)
        let cases = data.evaluationCases(EvaluationSplit(rawValue: split)!)
        let chunks = stride(from: 0, to: cases.count, by: 256).map { cases[$0..<min($0 + 256, cases.count)] }
        // Each user is encoded once; the recall variants below re-assemble the evaluator's chunks from these rows.
        var encoded: [Int32: (vectors: ArraySlice<Float>, mask: ArraySlice<Bool>)] = [:]
        var interests = SetGeometry(), capsules = SetGeometry()
        var couplingMaxima = Mean()
        var shape = (interestCount: 1, dimension: 1)
        for chunk in chunks {
            let batch = recommender.interestBatch(for: chunk, in: data)
            let k = batch.interestCount, d = batch.dimension
            shape = (k, d)
            for (row, user) in chunk.map(\.user).enumerated() {
                encoded[user] = (batch.vectors[(row * k * d)..<((row + 1) * k * d)], batch.mask[(row * k)..<((row + 1) * k)])
            }
            interests.add(batch.vectors, count: batch.count, setSize: k, dimension: d) { batch.mask[$0] }
            guard let routing = recommender.routing(histories: chunk.map { ArraySlice($0.history) }, profiles: []) else { continue }
            let l = routing.weights.shape[2]  // [B, K, L]; capsules [B, K, d]
            capsules.add(routing.capsules.storage, count: batch.count, setSize: k, dimension: d) { routing.interestMask[$0] != 0 }
            // Per real behaviour, its largest coupling weight: 1/K' is uniform, 1 is a hard assignment.
            for user in 0..<batch.count {
                for position in 0..<l where routing.weights.storage[user * k * l + position] > 0 {
                    couplingMaxima.add((0..<k).map { Double(routing.weights.storage[(user * k + $0) * l + position]) }.max()!)
                }
            }
        }

        let encode = { (chunk: ArraySlice<EvaluationCase>) -> InterestBatch in
            InterestBatch(count: chunk.count, interestCount: shape.interestCount, dimension: shape.dimension,
                          vectors: chunk.flatMap { encoded[$0.user]!.vectors }, mask: chunk.flatMap { encoded[$0.user]!.mask })
        }
        let evaluator = try Evaluator(cutoffs: [at])
        let items = recommender.itemMatrix()
        func recall(_ interests: @escaping (ArraySlice<EvaluationCase>) -> InterestBatch) throws -> Double {
            try evaluator.evaluate(cases, items: items, interests: interests).rows[0].recall
        }
        let length = recommender.config.maxHistoryLength
        var report: [String: Any] = [
            "kind": "interests", "model": model, "split": split, "users": cases.count,
            "recall_all_interests": try recall(encode),
            "recall_first_interest": try recall { encode($0).keepingFirstInterest() },
            "recall_mean_of_interests": try recall { encode($0).meanOfInterests() },
            "item_shared_direction": items.sharedDirection(),
        ]
        // Left out where there is nothing to average: a one-vector model has no pairs, no routing.
        let summaries = [("interest_pairwise_cosine", interests.cosine), ("interest_norm", interests.norm),
                         ("capsule_pairwise_cosine", capsules.cosine), ("capsule_norm", capsules.norm),
                         ("max_coupling_weight", couplingMaxima)]
        for (key, mean) in summaries { report[key] = mean.value }
        for clusters in [1, 2, 4] {
            report["recall_item_kmeans_\(clusters)"] = try recall { chunk in
                InterestBatch(kMeansOf: chunk.map { $0.history.suffix(length) }, items: items, clusters: clusters)
            }
        }
        printJSON(report)
    }
}

extension InterestBatch {
    /// The same users served by their first interest only.
    func keepingFirstInterest() -> InterestBatch {
        InterestBatch(count: count, interestCount: interestCount, dimension: dimension, vectors: vectors,
                      mask: mask.indices.map { $0 % interestCount == 0 })
    }

    /// The same users served by the mean of their active interests: one vector each.
    func meanOfInterests() -> InterestBatch {
        var means = [Float](repeating: 0, count: count * dimension)
        for user in 0..<count {
            let active = (0..<interestCount).filter { mask[user * interestCount + $0] }
            for j in active {
                for x in 0..<dimension { means[user * dimension + x] += vectors[(user * interestCount + j) * dimension + x] / Float(active.count) }
            }
        }
        return InterestBatch(count: count, interestCount: 1, dimension: dimension, vectors: means, mask: [Bool](repeating: true, count: count))
    }

    /// Interests taken from the item space alone: the k-means centroids (farthest-point start,
    /// 10 Lloyd steps) of each history's item vectors; clusters = 1 is the history's mean.
    init(kMeansOf histories: [ArraySlice<Int32>], items: ItemMatrix, clusters: Int) {
        let d = items.dimension
        var vectors: [Float] = [], mask: [Bool] = []
        for history in histories {
            let points = history.map { Array(items.storage[(Int($0) * d)..<(Int($0) * d + d)]) }
            func distance(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
            func nearest(_ point: [Float], _ centres: [[Float]]) -> Int { centres.indices.min { distance(point, centres[$0]) < distance(point, centres[$1]) }! }
            var centres = [points[points.count - 1]]
            while centres.count < min(clusters, points.count) {
                centres.append(points.max { distance($0, centres[nearest($0, centres)]) < distance($1, centres[nearest($1, centres)]) }!)
            }
            for _ in 0..<10 {
                var sums = [[Float]](repeating: [Float](repeating: 0, count: d), count: centres.count)
                var sizes = [Int](repeating: 0, count: centres.count)
                for point in points {
                    let j = nearest(point, centres)
                    for x in 0..<d { sums[j][x] += point[x] }
                    sizes[j] += 1
                }
                for j in centres.indices where sizes[j] > 0 { centres[j] = sums[j].map { $0 / Float(sizes[j]) } }
            }
            vectors += centres.flatMap { $0 } + [Float](repeating: 0, count: (clusters - centres.count) * d)
            mask += (0..<clusters).map { $0 < centres.count }
        }
        self.init(count: histories.count, interestCount: clusters, dimension: d, vectors: vectors, mask: mask)
    }
}

extension ItemMatrix {
    /// How much of the item vectors is one shared direction: |mean e| / mean |e|.
    func sharedDirection() -> Double {
        var mean = [Double](repeating: 0, count: dimension), normSum = 0.0
        for item in 0..<count {
            var squared = 0.0
            for x in 0..<dimension {
                let value = Double(storage[item * dimension + x])
                mean[x] += value / Double(count)
                squared += value * value
            }
            normSum += squared.squareRoot()
        }
        return mean.reduce(0) { $0 + $1 * $1 }.squareRoot() / (normSum / Double(count))
    }
}
