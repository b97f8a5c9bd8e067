import Foundation
import MINDData
import Testing
@testable import MINDEval

/// Per-user results from explicit recall values at one cutoff (the other metrics follow recall, to keep them distinct).
private func evaluation(recalls: [Double], cutoff: Int = 10) -> PerUserEvaluation {
    PerUserEvaluation(
        cutoffs: [cutoff], users: recalls.indices.map { Int32($0) },
        metrics: recalls.map { [RankingMetrics(recall: $0, hitRate: $0 > 0 ? 1 : 0, ndcg: $0 / 2, precision: $0 / 10)] },
        skippedCount: 0)
}

private func row(_ comparison: PairedComparison, _ metric: RankingMetricName) -> PairedComparison.Row {
    comparison.rows.first { $0.metric == metric }!
}

@Test func theSummaryOfPerUserMetricsIsTheEvaluatorsAverage() throws {
    let cases: [EvaluationCase] = (0..<40).map { (user: Int) -> EvaluationCase in
        let truth: [Int32] = user % 5 == 0 ? [] : [Int32(user % 7), Int32(user % 11 + 20)]
        return EvaluationCase(user: Int32(user), history: [], truth: truth)
    }
    let retrieve: (ArraySlice<EvaluationCase>, Int) -> [[Int32]] = { chunk, n in
        chunk.map { (c: EvaluationCase) -> [Int32] in (0..<Int32(n)).map { (rank: Int32) -> Int32 in (rank * 3 + c.user) % 40 } }
    }
    let evaluator = try Evaluator(cutoffs: [3, 10], chunkSize: 6)
    let each = try evaluator.evaluateEachUser(cases, retrieve: retrieve)
    #expect(each.users == cases.filter { !$0.truth.isEmpty }.map { $0.user })
    #expect(each.skippedCount == 8)
    #expect(each.summary == (try evaluator.evaluate(cases, retrieve: retrieve)))
    let first = try #require(cases.first { !$0.truth.isEmpty })
    #expect(each.metrics[0] == RankingMetrics.evaluate(ranked: retrieve([first], 10)[0], truth: Set(first.truth), cutoffs: [3, 10]))
}

@Test func identicalModelsDifferByExactlyZero() throws {
    let a = evaluation(recalls: [0.1, 0.5, 0, 0.9, 0.3])
    let comparison = try PairedComparison(model: a, modelName: "a", against: a, againstName: "b", resamples: 200)
    for row in comparison.rows {
        #expect(row.difference == 0 && row.lower == 0 && row.upper == 0)
        #expect(row.modelBetter == 0 && row.againstBetter == 0)
    }
}

@Test func aConstantPerUserGainHasAnIntervalOfThatGainAlone() throws {
    let base = [0.1, 0.2, 0.0, 0.4, 0.3, 0.25]
    let comparison = try PairedComparison(
        model: evaluation(recalls: base.map { $0 + 0.05 }), modelName: "a",
        against: evaluation(recalls: base), againstName: "b", resamples: 300)
    let recall = row(comparison, .recall)
    #expect(abs(recall.difference - 0.05) < 1e-12)
    #expect(abs(recall.lower - 0.05) < 1e-12 && abs(recall.upper - 0.05) < 1e-12)
    #expect(recall.modelBetter == base.count && recall.againstBetter == 0)
    #expect(abs(recall.relative! - 0.05 / (base.reduce(0, +) / Double(base.count))) < 1e-12)
}

@Test func theIntervalContainsTheMeanDifferenceAndWidensWithNoise() throws {
    // Differences alternate +0.3 / -0.1 (mean +0.1): the interval must contain 0.1 and lie inside [-0.1, 0.3].
    let against = evaluation(recalls: Array(repeating: 0.4, count: 60))
    let noisy = evaluation(recalls: (0..<60).map { $0 % 2 == 0 ? 0.7 : 0.3 })
    let comparison = try PairedComparison(model: noisy, modelName: "a", against: against, againstName: "b", seed: 5)
    let recall = row(comparison, .recall)
    #expect(abs(recall.difference - 0.1) < 1e-12)
    #expect(recall.lower < 0.1 && recall.upper > 0.1)
    #expect(recall.lower > -0.1 && recall.upper < 0.3)
    #expect(recall.modelBetter == 30 && recall.againstBetter == 30)
    // The same seed gives the same interval; the interval of a binomial-like mean is about +/- 2 * 0.2 / sqrt(60).
    #expect(try PairedComparison(model: noisy, modelName: "a", against: against, againstName: "b", seed: 5) == comparison)
    #expect(abs((recall.upper - recall.lower) - 4 * 0.2 / sqrt(60)) < 0.03)
}

@Test func comparingDifferentUsersOrCutoffsIsAnError() throws {
    let a = evaluation(recalls: [0.1, 0.2, 0.3])
    #expect(throws: ComparisonError.differentUsers(3, 2)) {
        try PairedComparison(model: a, modelName: "a", against: evaluation(recalls: [0.1, 0.2]), againstName: "b")
    }
    #expect(throws: ComparisonError.differentCutoffs([10], [20])) {
        try PairedComparison(model: a, modelName: "a", against: evaluation(recalls: [0.1, 0.2, 0.3], cutoff: 20), againstName: "b")
    }
    #expect(throws: ComparisonError.noUsers) {
        try PairedComparison(model: evaluation(recalls: []), modelName: "a", against: evaluation(recalls: []), againstName: "b")
    }
}

/// A variant's long name widens the model column instead of pushing its row's numbers out of line.
@Test func comparisonTableColumnsAlignWithLongNames() throws {
    let names = ["mind", "gru4rec+gru-hidden-size=128+dropout=0.3+max-history-length=50", "sasrec"]
    let entries = names.enumerated().map { index, name in
        ModelComparison.Entry(name: name, config: nil, epochs: [], bestEpoch: nil,
                              users: evaluation(recalls: [0.1, 0.2, 0.3].map { $0 + Double(index) / 10 }, cutoff: 50))
    }
    let lines = try ModelComparison(entries: entries, resamples: 50).table().split(separator: "\n").map(String.init)
    #expect(lines.count == 4)
    // Every line has the same length and its first number starts in the same column, after a space.
    #expect(Set(lines.map(\.count)).count == 1, "\(lines)")
    let column = lines[1].range(of: "0.")!.lowerBound.utf16Offset(in: lines[1])
    for line in lines.dropFirst() {
        #expect(line.range(of: " 0.")!.lowerBound.utf16Offset(in: line) == column - 1, "\(line)")
    }
}
