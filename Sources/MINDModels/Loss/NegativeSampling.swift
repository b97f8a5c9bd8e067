import Foundation
import MINDCore

/// Draws negative items and knows each item's sampling probability Q(i) for the logQ
/// correction of the sampled softmax.
public struct NegativeSampling: Sendable {
    public let kind: NegativeSampler
    public let itemCount: Int
    /// Items by decreasing training popularity (ties by index): rank r -> item.
    let itemsByRank: [Int32]
    /// log Q(i) per item under this sampler (for in-batch: the item's share of training events).
    public let logProbability: [Float]

    /// `popularity`: training interactions per item.
    public init(kind: NegativeSampler, popularity: [Int]) {
        self.kind = kind
        itemCount = popularity.count
        let n = popularity.count
        itemsByRank = (0..<Int32(n)).sorted { popularity[Int($0)] != popularity[Int($1)] ? popularity[Int($0)] > popularity[Int($1)] : $0 < $1 }
        var logQ = [Float](repeating: -Foundation.log(Float(max(n, 1))), count: n)
        switch kind {
        case .uniform, .full:
            break
        case .logUniform:
            // TensorFlow's log-uniform (Zipfian) sampler over popularity ranks:
            // P(r) = log((r + 2) / (r + 1)) / log(n + 1).
            let normaliser = Foundation.log(Double(n) + 1)
            for (rank, item) in itemsByRank.enumerated() {
                logQ[Int(item)] = Float(Foundation.log(Foundation.log((Double(rank) + 2) / (Double(rank) + 1)) / normaliser))
            }
        case .inBatch:
            let total = Double(popularity.reduce(0, +) + n)  // add-one so unseen items have finite logQ
            for item in 0..<n { logQ[item] = Float(Foundation.log((Double(popularity[item]) + 1) / total)) }
        }
        logProbability = logQ
    }

    /// `count` items drawn with replacement.
    public func draw(_ count: Int, using generator: inout SeededGenerator) -> [Int32] {
        switch kind {
        case .uniform, .full, .inBatch:
            return (0..<count).map { _ in Int32(generator.nextInt(below: itemCount)) }
        case .logUniform:
            let logRange = Foundation.log(Double(itemCount) + 1)
            return (0..<count).map { _ in
                // Inverse CDF of the log-uniform distribution: r = floor(exp(u log(n + 1))) - 1.
                let rank = Int(Foundation.exp(generator.nextUniformDouble() * logRange)) - 1
                return itemsByRank[min(max(rank, 0), itemCount - 1)]
            }
        }
    }

    /// Whether logits need the logQ correction under this sampler.
    public var isUniform: Bool { kind == .uniform || kind == .full }
}
