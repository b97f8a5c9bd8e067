import Foundation
import Testing
import MINDCore
@testable import MINDModels

@Suite("ComiRec-DR user tower: per-interest routing, padding, distinct interests")
struct ComiRecDRTests {
    func config(dimension: Int = 2, interests: Int = 2, length: Int = 4) -> ModelConfig {
        var config = ModelConfig()
        config.model = .comirecDR
        config.embeddingSize = dimension
        config.interestCount = interests
        config.maxHistoryLength = length
        return config
    }

    @Test func routingWithPerInterestMapsMatchesAHandComputation() {
        var config = config()
        config.routingIterations = 2
        let model = RecommenderModel(config: config, schema: DataSchema(itemCount: 3, itemFeatures: [], userFeatures: []))
        let tower = model.users as! ComiRecDRUserTower
        // S_0 = identity, S_1 = the swap of coordinates; behaviours e0 = (1, 0), e1 = (0, 2).
        tower.bilinear.value = Tensor(shape: [2, 4], storage: [1, 0, 0, 1, 0, 1, 1, 0])
        let tape = Tape()
        let behaviours = tape.constant(Tensor(shape: [1, 2, 2], storage: [1, 0, 0, 2]))
        let batch = UserBatch(histories: [[0, 1]], profiles: [], maxLength: 2, routingSeeds: [7])
        let capsules = tower.route(tape, batch: batch, behaviours: behaviours).capsules.value  // [1, 2, 2]

        // u_hat[j][i] = e_i S_j; logits start at zero; two iterations written out.
        let e: [[Double]] = [[1, 0], [0, 2]]
        let uHat: [[[Double]]] = [e, e.map { [$0[1], $0[0]] }]
        var b = [[0.0, 0.0], [0.0, 0.0]]  // b[j][i]
        var v = [[Double]](repeating: [0, 0], count: 2)
        for iteration in 0..<2 {
            for j in 0..<2 {
                var z = [0.0, 0.0]
                for i in 0..<2 {
                    let w = exp(b[j][i]) / (exp(b[0][i]) + exp(b[1][i]))  // softmax over interests
                    for c in 0..<2 { z[c] += w * uHat[j][i][c] }
                }
                let squared = z[0] * z[0] + z[1] * z[1]
                v[j] = z.map { $0 * squared / (1 + squared) / squared.squareRoot() }
            }
            if iteration == 0 {
                for j in 0..<2 { for i in 0..<2 { b[j][i] += v[j][0] * uHat[j][i][0] + v[j][1] * uHat[j][i][1] } }
            }
        }
        for j in 0..<2 {
            for c in 0..<2 { #expect(abs(Double(capsules.storage[j * 2 + c]) - v[j][c]) < 1e-5, "capsule \(j)[\(c)]") }
        }
        // The two interests differ although routing started from identical logits.
        #expect(abs(v[0][0] - v[1][0]) > 0.1)
    }

    @Test func paddingAndBatchNeighboursChangeNothing() {
        let schema = DataSchema(itemCount: 30, itemFeatures: [], userFeatures: [])
        let history: ArraySlice<Int32> = [3, 9, 4, 17, 22]
        let short = RecommenderModel(config: config(dimension: 8, interests: 3, length: 5), schema: schema)
            .encode(histories: [history], profiles: [])
        let paddedModel = RecommenderModel(config: config(dimension: 8, interests: 3, length: 12), schema: schema)
        let padded = paddedModel.encode(histories: [history], profiles: [])
        #expect(short.vectors.maxAbsoluteDifference(padded.vectors) < 1e-5)
        #expect(padded.mask == [1, 1, 1])  // every interest is used, however short the history
        let withNeighbour = paddedModel.encode(histories: [history, [1, 2]], profiles: [])
        #expect(Array(withNeighbour.vectors.storage.prefix(padded.vectors.count)) == padded.vectors.storage)
    }

    @Test func interestsAreDistinctCapsulesAndTheModelReadsNoProfile() {
        let schema = DataSchema(
            itemCount: 40, itemFeatures: [], userFeatures: [UserFeatureSpec(name: "age", vocabulary: ["?", "young", "old"])])
        let model = RecommenderModel(config: config(dimension: 16, interests: 4, length: 20), schema: schema)
        #expect(!model.usesProfile)
        let (vectors, _) = model.encode(histories: [ArraySlice((0..<20).map { Int32($0) })], profiles: [])
        let d = 16
        func interest(_ k: Int) -> [Float] { Array(vectors.storage[(k * d)..<((k + 1) * d)]) }
        for k in 0..<4 {
            let norm = interest(k).reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(norm > 0 && norm < 1, "a squashed capsule has norm in (0, 1), got \(norm)")
        }
        let a = interest(0), b = interest(1)
        let cosine = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
            / (a.reduce(0) { $0 + $1 * $1 }.squareRoot() * b.reduce(0) { $0 + $1 * $1 }.squareRoot())
        #expect(cosine < 0.9, "per-interest maps should give distinct interests at initialisation, cosine \(cosine)")
    }
}
