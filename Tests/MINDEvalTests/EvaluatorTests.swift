import Foundation
import MINDCore
import MINDData
import MINDRetrieval
import Testing
@testable import MINDEval

private func randomCases(count: Int, itemCount: Int, seed: UInt64) -> [EvaluationCase] {
    var random = SeededGenerator(seed: seed)
    return (0..<count).map { user in
        let history = (0..<random.nextInt(below: 6)).map { _ in Int32(random.nextInt(below: itemCount)) }
        let truth = (0..<random.nextInt(below: 5)).map { _ in Int32(random.nextInt(below: itemCount)) }
        return EvaluationCase(user: Int32(user), history: history, truth: truth)
    }
}

/// A deterministic retriever whose lists depend only on the case, so chunking cannot change them.
private func pseudoRetriever(itemCount: Int) -> (ArraySlice<EvaluationCase>, Int) -> [[Int32]] {
    { cases, n in
        cases.map { evaluationCase in
            var random = SeededGenerator(seed: UInt64(evaluationCase.user) + 1)
            var list = [Int32]()
            while list.count < n {
                let item = Int32(random.nextInt(below: itemCount))
                if !list.contains(item) { list.append(item) }
            }
            return list
        }
    }
}

@Test func aPerfectRetrieverHasRecallOne() throws {
    let cases = randomCases(count: 50, itemCount: 200, seed: 3)
    let evaluator = try Evaluator(cutoffs: [10, 20], chunkSize: 16)
    let result = try evaluator.evaluate(cases) { chunk, n in
        chunk.map { evaluationCase in
            var list = [Int32]()
            for item in evaluationCase.truth where !list.contains(item) { list.append(item) }
            return Array((list + (1000..<1100).map { Int32($0) }).prefix(n))
        }
    }
    #expect(result.userCount == cases.filter { !$0.truth.isEmpty }.count)
    #expect(result.skippedCount == cases.count - result.userCount)
    for row in result.rows {
        #expect(row.recall == 1)
        #expect(row.hitRate == 1)
        #expect(abs(row.ndcg - 1) < 1e-12)
    }
}

@Test func chunkedEvaluationEqualsUnchunked() throws {
    let cases = randomCases(count: 300, itemCount: 60, seed: 9)
    let retriever = pseudoRetriever(itemCount: 60)
    let whole = try Evaluator(cutoffs: [5, 10, 20], chunkSize: 10_000).evaluate(cases, retrieve: retriever)
    for chunkSize in [1, 7, 256] {
        #expect(try Evaluator(cutoffs: [5, 10, 20], chunkSize: chunkSize).evaluate(cases, retrieve: retriever) == whole)
    }
    #expect(whole.rows.map(\.cutoff) == [5, 10, 20])
    #expect(whole.rows[0].recall <= whole.rows[1].recall && whole.rows[1].recall <= whole.rows[2].recall)
}

@Test func averagesOverUsers() throws {
    let cases = [
        EvaluationCase(user: 0, history: [], truth: [1]),
        EvaluationCase(user: 1, history: [], truth: [2, 3]),
        EvaluationCase(user: 2, history: [5], truth: []),
    ]
    let result = try Evaluator(cutoffs: [1]).evaluate(cases) { chunk, _ in chunk.map { _ in [1] } }
    #expect(result.userCount == 2)
    #expect(result.skippedCount == 1)
    #expect(result[cutoff: 1]?.metrics == RankingMetrics(recall: 0.5, hitRate: 0.5, ndcg: 0.5, precision: 0.5))
}

@Test func badSettingsAndBrokenRetrieversThrow() throws {
    #expect(throws: EvaluationError.noCutoffs) { try Evaluator(cutoffs: []) }
    #expect(throws: EvaluationError.invalidCutoff(0)) { try Evaluator(cutoffs: [10, 0]) }
    #expect(throws: EvaluationError.invalidChunkSize(0)) { try Evaluator(chunkSize: 0) }
    let cases = randomCases(count: 20, itemCount: 10, seed: 1).filter { !$0.truth.isEmpty }
    #expect(throws: EvaluationError.resultCountMismatch(expected: cases.count, got: 0)) {
        try Evaluator().evaluate(cases) { _, _ in [] }
    }
}

@Test func exactIndexEvaluationExcludesTheHistory() throws {
    // One-hot items; each user's interest points hardest at the history item, then at the truth item.
    let itemCount = 8
    let items = ItemMatrix(
        count: itemCount, dimension: itemCount,
        storage: (0..<(itemCount * itemCount)).map { $0 % (itemCount + 1) == 0 ? 1 : 0 })
    let cases = (0..<itemCount).map { user in
        EvaluationCase(user: Int32(user), history: [Int32(user)], truth: [Int32((user + 1) % itemCount)])
    }
    let interests: (ArraySlice<EvaluationCase>) -> InterestBatch = { chunk in
        var vectors = [Float]()
        for evaluationCase in chunk {
            var interest = [Float](repeating: 0, count: itemCount)
            interest[Int(evaluationCase.history[0])] = 2
            interest[Int(evaluationCase.truth[0])] = 1
            vectors += interest + [Float](repeating: 0, count: itemCount)  // second interest masked
        }
        return InterestBatch(
            count: chunk.count, interestCount: 2, dimension: itemCount, vectors: vectors,
            mask: chunk.flatMap { _ in [true, false] })
    }
    let result = try Evaluator(cutoffs: [1, 3], chunkSize: 3).evaluate(cases, index: ExactIndex(items: items), interests: interests)
    #expect(result[cutoff: 1]?.recall == 1)
    #expect(result[cutoff: 3]?.precision == 1.0 / 3)

    let wrongSize: (ArraySlice<EvaluationCase>) -> InterestBatch = { _ in
        InterestBatch(singleVectors: [Float](repeating: 0, count: itemCount), count: 1, dimension: itemCount)
    }
    #expect(throws: EvaluationError.interestCountMismatch(expected: 3, got: 1)) {
        try Evaluator(chunkSize: 3).evaluate(cases, index: ExactIndex(items: items), interests: wrongSize)
    }
}

@Test func resultRoundTripsThroughJSONAndRendersATable() throws {
    let cases = randomCases(count: 40, itemCount: 30, seed: 2)
    let result = try Evaluator(cutoffs: [10, 20]).evaluate(cases, retrieve: pseudoRetriever(itemCount: 30))
    let decoded = try JSONDecoder().decode(EvaluationResult.self, from: JSONEncoder().encode(result))
    #expect(decoded == result)
    let lines = result.table().split(separator: "\n")
    #expect(lines[0].contains("Recall") && lines[0].contains("NDCG"))
    #expect(lines[1].hasPrefix("    10"))
    #expect(lines[2].contains(String(format: "%.4f", result.rows[1].recall)))
}
