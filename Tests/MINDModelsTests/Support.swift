import Foundation
import Testing
import MINDCore
@testable import MINDModels

/// Users who each like one to four topics; items are grouped by topic. A history mixes the
/// user's topics, so one vector per user must blur them while several interests need not.
struct PlantedInterests {
    var sequences: [[Int32]] = []
    var itemCount: Int

    init(users: Int, topics: Int, itemsPerTopic: Int, length: ClosedRange<Int>, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        itemCount = topics * itemsPerTopic
        for _ in 0..<users {
            let topicCount = 1 + generator.nextInt(below: 4)
            var liked: [Int] = []
            while liked.count < topicCount {
                let topic = generator.nextInt(below: topics)
                if !liked.contains(topic) { liked.append(topic) }
            }
            let n = length.lowerBound + generator.nextInt(below: length.count)
            var sequence: [Int32] = []
            for _ in 0..<n {
                let topic = liked[generator.nextInt(below: liked.count)]
                // Skewed popularity inside a topic: the square of a uniform draw favours low ranks.
                let u = generator.nextUniformDouble()
                let rank = Int(u * u * Double(itemsPerTopic))
                sequence.append(Int32(topic * itemsPerTopic + rank))
            }
            sequences.append(sequence)
        }
    }

    var schema: DataSchema { DataSchema(itemCount: itemCount, itemFeatures: [], userFeatures: []) }
}

/// Recall@n of a model over held-out 20% tails, ranking the whole catalogue by max_k e_i . u_k.
func tailRecall(_ model: RecommenderModel, sequences: [[Int32]], n: Int) -> Double {
    let catalogue = model.items.catalogue()
    let d = model.config.embeddingSize
    var total = 0.0
    for sequence in sequences {
        let cut = Int(Double(sequence.count) * 0.8)
        let history = sequence[..<cut]
        let truth = Set(sequence[cut...])
        let (vectors, mask) = model.encode(histories: [history], profiles: [])
        let k = mask.count
        let seen = Set(history)
        var scored: [(Float, Int32)] = []
        for item in 0..<Int32(model.items.itemCount) where !seen.contains(item) {
            var best = -Float.infinity
            for interest in 0..<k where mask[interest] != 0 {
                var dot: Float = 0
                for j in 0..<d { dot += catalogue.storage[Int(item) * d + j] * vectors.storage[interest * d + j] }
                best = max(best, dot)
            }
            scored.append((best, item))
        }
        scored.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        let hits = scored.prefix(n).filter { truth.contains($0.1) }.count
        total += Double(hits) / Double(truth.count)
    }
    return total / Double(sequences.count)
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mind-models-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Central finite differences of a model's training loss on one batch against its tape gradient, for every
/// parameter the loss reaches; returns how many elements were checked.
@discardableResult
func checkLossGradient(
    _ model: RecommenderModel, batch: UserBatch, targets: [Int32], sampling: NegativeSampling, step: Float,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Int {
    func loss() -> (Float, Gradients) {
        let tape = Tape()
        var generator = SeededGenerator(seed: 1)
        let value = model.loss(tape, batch: batch, targets: targets, sampling: sampling, generator: &generator)
        return (value.value.scalar, tape.gradients(of: value))
    }
    let gradients = loss().1
    var checked = 0
    for parameter in model.parameters {
        guard let analytic = gradients.denseGradient(for: parameter) else { continue }
        for index in 0..<parameter.value.count {
            let original = parameter.value.storage[index]
            parameter.value.storage[index] = original + step
            let plus = loss().0
            parameter.value.storage[index] = original - step
            let minus = loss().0
            parameter.value.storage[index] = original
            let numeric = (plus - minus) / (2 * step)
            #expect(abs(numeric - analytic.storage[index]) <= 2e-2 * max(1, abs(numeric)),
                    "\(parameter.name)[\(index)]: \(analytic.storage[index]) vs \(numeric)", sourceLocation: sourceLocation)
            checked += 1
        }
    }
    return checked
}
