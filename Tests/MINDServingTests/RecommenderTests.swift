import Foundation
import Testing
import MINDData
import MINDModels
import MINDRetrieval
@testable import MINDServing

@Suite("Recommender")
struct RecommenderTests {
    /// 200 requests of varied histories (lengths 1 to 40, excluded items, unknown ids) from the test users.
    static func requests() -> [RecommendationRequest] {
        let data = Fixture.trained.data
        let cases = data.evaluationCases(.test) + data.evaluationCases(.valid)
        return (0..<200).map { i in
            let history = Fixture.ids(Array(cases[i % cases.count].history.prefix(1 + i % 40)))
            let exclude = i % 3 == 0 ? Fixture.ids([Int32(i % data.itemCount)]) : []
            return RecommendationRequest(user: "u\(i)", history: history + (i % 7 == 0 ? ["no-such-item"] : []), exclude: exclude)
        }
    }

    @Test func concurrentCallsOnOneRecommenderMatchTheSerialRun() async throws {
        let recommender = try Fixture.recommender(threads: 2)
        let requests = Self.requests()
        let serial = requests.map { recommender.recommend(history: $0.history, count: 50, exclude: $0.exclude) }
        let serialInterests = requests.map { recommender.interests(history: $0.history) }
        // 8 tasks, each taking every 8th request, all on the same recommender at once.
        let concurrent = await withTaskGroup(of: [(Int, Recommendation, ExtractedInterests)].self) { group in
            for task in 0..<8 {
                group.addTask {
                    stride(from: task, to: requests.count, by: 8).map { i in
                        (i, recommender.recommend(history: requests[i].history, count: 50, exclude: requests[i].exclude),
                         recommender.interests(history: requests[i].history))
                    }
                }
            }
            var collected: [(Int, Recommendation, ExtractedInterests)] = []
            for await part in group { collected += part }
            return collected.sorted { $0.0 < $1.0 }
        }
        #expect(concurrent.count == 200)
        for (i, recommendation, interests) in concurrent {
            #expect(recommendation == serial[i], "request \(i)")
            #expect(interests == serialInterests[i], "request \(i)")
        }
    }

    @Test func answersDoNotDependOnTheThreadCountOrTheBatch() throws {
        let requests = Self.requests()
        let one = try Fixture.recommender(threads: 1).recommend(requests, count: 30)
        let five = try Fixture.recommender(threads: 5).recommend(requests, count: 30)
        #expect(one == five)
        let each = try Fixture.recommender(threads: 1)
        for (request, answer) in zip(requests, one).prefix(20) {
            var single = each.recommend(history: request.history, count: 30, exclude: request.exclude)
            single.user = request.user
            #expect(single == answer)
        }
    }

    @Test func historyAndExcludeAreLeftOutAndUnknownIdsCounted() throws {
        let recommender = try Fixture.recommender()
        let data = Fixture.trained.data
        let history = Fixture.ids(data.evaluationCases(.test)[1].history)
        let plain = recommender.recommend(history: history, count: 20)
        let excluded = Array(plain.items.prefix(3))
        let answer = recommender.recommend(history: history + ["nope", "nada"], count: 20, exclude: excluded + ["also-unknown"])
        #expect(answer.unknownItems == 2)
        #expect(answer.items.count == 20)
        #expect(Set(answer.items).isDisjoint(with: Set(history + excluded)))
        #expect(Array(answer.items.prefix(17)) == Array(plain.items.dropFirst(3)), "the rest keep their order")
        #expect(answer.interests.allSatisfy { $0 >= 0 && $0 < recommender.model.config.interestCount })
    }

    @Test func aHistoryWithNoKnownItemGetsThePopularItems() throws {
        let recommender = try Fixture.recommender()
        let answer = recommender.recommend(history: ["unknown"], count: 10, exclude: Fixture.ids([recommender.popularity.ranking[0]]))
        #expect(answer.unknownItems == 1)
        #expect(answer.interests == [Int](repeating: -1, count: 10))
        #expect(answer.items == Fixture.ids(Array(recommender.popularity.ranking[1...10])))
    }

    @Test func everyInterestRetrievesItsOwnTopItems() throws {
        let recommender = try Fixture.recommender()
        let history = Fixture.trained.data.evaluationCases(.test)[2].history
        let interests = recommender.interests(history: history)
        let answer = recommender.retrieve(histories: [history], count: 40, exclude: [history])[0]
        // Each item's score is its tagged interest's inner product, and no active interest beats it.
        for entry in answer {
            let item = recommender.items.vector(Int(entry.item))
            let scores = interests.vectors.map { vector in zip(vector, item).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
            #expect(interests.active[entry.interest])
            #expect(abs(scores[entry.interest] - entry.score) < 1e-4)
            for k in scores.indices where interests.active[k] { #expect(scores[k] <= entry.score + 1e-4) }
        }
    }

    @Test func interestsCarryTheRoutingOfEachBehaviour() throws {
        let recommender = try Fixture.recommender()
        let config = recommender.model.config
        let history = Fixture.trained.data.evaluationCases(.test)[0].history
        let extracted = recommender.interests(history: history)
        #expect(extracted.behaviours == Array(history.suffix(config.maxHistoryLength)))
        #expect(extracted.vectors.count == config.interestCount)
        #expect(extracted.vectors.allSatisfy { $0.count == config.embeddingSize })
        let activeCount = extracted.active.filter { $0 }.count
        #expect(activeCount == max(1, min(config.interestCount, Int(log2(Double(history.count))))), "dynamic K")
        let weights = try #require(extracted.couplingWeights)
        for position in extracted.behaviours.indices {
            let total = weights.indices.filter { extracted.active[$0] }.reduce(Float(0)) { $0 + weights[$1][position] }
            #expect(abs(total - 1) < 1e-4, "each behaviour's weights over the active interests sum to 1")
            for k in weights.indices where !extracted.active[k] { #expect(weights[k][position] == 0) }
        }
        let strongest = try #require(extracted.strongestInterestOfEachBehaviour)
        for (position, interest) in strongest.enumerated() {
            #expect(extracted.active[interest])
            #expect(extracted.behaviourPositions(of: interest).first.map { weights[interest][$0] >= weights[interest][position] } == true)
        }
        #expect(recommender.interests(history: [Int32]()).vectors.isEmpty)
    }
}
