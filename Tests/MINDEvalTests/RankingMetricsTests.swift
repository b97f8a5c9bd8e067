import Foundation
import Testing
@testable import MINDEval

private func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-12 }

@Test func metricsOnAHandComputedRanking() {
    // Hits at 0-based ranks 1 and 4; |truth| = 3.
    let metrics = RankingMetrics.evaluate(ranked: [1, 2, 3, 4, 5], truth: [2, 5, 9], cutoffs: [3, 5])
    let ideal3 = 1 + 1 / log2(3.0) + 1 / log2(4.0)
    #expect(close(metrics[0].recall, 1.0 / 3))
    #expect(metrics[0].hitRate == 1)
    #expect(close(metrics[0].ndcg, (1 / log2(3.0)) / ideal3))
    #expect(close(metrics[0].precision, 1.0 / 3))
    #expect(close(metrics[1].recall, 2.0 / 3))
    #expect(close(metrics[1].ndcg, (1 / log2(3.0) + 1 / log2(6.0)) / ideal3))
    #expect(close(metrics[1].precision, 2.0 / 5))
}

@Test func idealDCGStopsAtTheCutoffWhenTheTruthIsLarger() {
    let metrics = RankingMetrics.evaluate(ranked: [1, 2, 3], truth: [1, 2, 3, 4], cutoff: 2)
    #expect(metrics == RankingMetrics(recall: 0.5, hitRate: 1, ndcg: 1, precision: 1))
}

@Test func idealDCGStopsAtTheTruthWhenTheCutoffIsLarger() {
    // One truth item found at rank 1 of 10: ideal DCG is one hit at rank 0.
    let metrics = RankingMetrics.evaluate(ranked: [8, 5, 6], truth: [5], cutoff: 10)
    #expect(metrics.recall == 1)
    #expect(close(metrics.ndcg, 1 / log2(3.0)))
    #expect(close(metrics.precision, 0.1))
}

@Test func duplicateTruthItemsCountOnce() {
    let metrics = RankingMetrics.evaluate(ranked: [7, 1], truth: Set([7, 7, 8]), cutoff: 1)
    #expect(metrics == RankingMetrics(recall: 0.5, hitRate: 1, ndcg: 1, precision: 1))
}

@Test func repeatedRankedItemsHitOnce() {
    let metrics = RankingMetrics.evaluate(ranked: [7, 7, 8], truth: [7, 8], cutoff: 3)
    #expect(metrics.recall == 1)
    #expect(close(metrics.precision, 2.0 / 3))
    #expect(close(metrics.ndcg, (1 + 0.5) / (1 + 1 / log2(3.0))))
}

@Test func noHitGivesZeros() {
    let metrics = RankingMetrics.evaluate(ranked: [1, 2, 3], truth: [9], cutoffs: [1, 3, 50])
    #expect(metrics.allSatisfy { $0 == .zero })
}

@Test func emptyRankingGivesZeros() {
    #expect(RankingMetrics.evaluate(ranked: [Int32](), truth: [1], cutoff: 5) == .zero)
}
