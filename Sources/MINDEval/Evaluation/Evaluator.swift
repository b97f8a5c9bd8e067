import MINDCore
import MINDData
import MINDRetrieval

/// Runs a retriever over evaluation cases in chunks and averages Recall, HR, NDCG and Precision at each cutoff.
public struct Evaluator: Sendable {
    /// The cutoffs N, in the order results are reported.
    public let cutoffs: [Int]
    /// Cases retrieved per call, bounding the memory of interests, scores and result lists.
    public let chunkSize: Int
    /// Chunks retrieved at once, each on its own thread; the metrics do not depend on it.
    public let threads: Int

    /// The largest cutoff: how many items the retriever is asked for.
    public var maxCutoff: Int { cutoffs.max() ?? 0 }

    /// An evaluator at `cutoffs`; throws if the list is empty or a cutoff or the chunk size is not positive.
    public init(cutoffs: [Int] = [10, 20, 50, 100], chunkSize: Int = 256, threads: Int = 1) throws {
        guard !cutoffs.isEmpty else { throw EvaluationError.noCutoffs }
        if let bad = cutoffs.first(where: { $0 <= 0 }) { throw EvaluationError.invalidCutoff(bad) }
        guard chunkSize > 0 else { throw EvaluationError.invalidChunkSize(chunkSize) }
        precondition(threads > 0, "An evaluator needs at least one thread.")
        self.cutoffs = cutoffs
        self.chunkSize = chunkSize
        self.threads = threads
    }

    /// Evaluates `retrieve`, which returns, per case of a chunk, its top `maxCutoff` items, best first, history excluded.
    ///
    /// Cases with an empty truth are skipped (counted in `skippedCount`). Users are summed in case order, so the
    /// result does not depend on the chunk size.
    public func evaluate(
        _ cases: [EvaluationCase], retrieve: (ArraySlice<EvaluationCase>, Int) throws -> [[Int32]]
    ) throws -> EvaluationResult {
        try evaluateEachUser(cases, retrieve: retrieve).summary
    }

    /// Like `evaluate`, but keeps every user's metrics, for paired comparisons of two models on the same users.
    public func evaluateEachUser(
        _ cases: [EvaluationCase], retrieve: (ArraySlice<EvaluationCase>, Int) throws -> [[Int32]]
    ) throws -> PerUserEvaluation {
        let measurable = cases.filter { !$0.truth.isEmpty }
        let ranked = try inChunks(measurable) { try retrieve($0, maxCutoff) }.flatMap(\.results)
        return perUser(measurable, ranked: ranked, skippedCount: cases.count - measurable.count)
    }

    /// Each measurable case's metrics from its ranked items, in case order.
    private func perUser(_ measurable: [EvaluationCase], ranked: [[Int32]], skippedCount: Int) -> PerUserEvaluation {
        let metrics = zip(measurable, ranked).map { evaluationCase, list in
            RankingMetrics.evaluate(ranked: list, truth: Set(evaluationCase.truth), cutoffs: cutoffs)
        }
        return PerUserEvaluation(cutoffs: cutoffs, users: measurable.map(\.user), metrics: metrics, skippedCount: skippedCount)
    }

    /// Runs `retrieve` over `cases` in chunks of `chunkSize`, `threads` chunks at a time (so `retrieve` must be safe
    /// to call concurrently: it only reads the model and the index), and returns each chunk's range and result in
    /// case order. A chunk whose result count differs from its case count is an error.
    func inChunks<Item>(
        _ cases: [EvaluationCase], retrieve: (ArraySlice<EvaluationCase>) throws -> [Item]
    ) throws -> [(range: Range<Int>, results: [Item])] {
        let chunkCount = (cases.count + chunkSize - 1) / chunkSize
        let range = { (chunk: Int) in (chunk * chunkSize)..<min((chunk + 1) * chunkSize, cases.count) }
        var outcomes = [Result<[Item], Error>?](repeating: nil, count: chunkCount)
        for waveStart in stride(from: 0, to: chunkCount, by: threads) {
            let wave = waveStart..<min(waveStart + threads, chunkCount)
            outcomes.withUnsafeMutableBufferPointer { buffer in
                let slots = buffer
                Parallel.run(workers: wave.count) { worker in
                    let chunk = wave.lowerBound + worker
                    slots[chunk] = Result { try retrieve(cases[range(chunk)]) }
                }
            }
        }
        return try (0..<chunkCount).map { chunk in
            let results = try outcomes[chunk]?.get() ?? []
            guard results.count == range(chunk).count else {
                throw EvaluationError.resultCountMismatch(expected: range(chunk).count, got: results.count)
            }
            return (range(chunk), results)
        }
    }

    /// `evaluateEachUser` that also keeps every list with the interest that retrieved each item, so the
    /// beyond-accuracy metrics read the same retrieval as the ranking metrics.
    public func evaluateRanked(
        _ cases: [EvaluationCase], retrieve: (ArraySlice<EvaluationCase>, Int) throws -> [[ScoredItem]]
    ) throws -> RankedEvaluation {
        let measurable = cases.filter { !$0.truth.isEmpty }
        let lists = try inChunks(measurable) { try retrieve($0, maxCutoff) }.flatMap(\.results)
        return RankedEvaluation(
            users: perUser(measurable, ranked: lists.map { $0.map(\.item) }, skippedCount: cases.count - measurable.count),
            truths: measurable.map(\.truth), lists: lists)
    }

    /// Evaluates a user tower: `interests` gives each chunk's interest vectors, `index` retrieves by max inner
    /// product over the unmasked interests, each case's history excluded.
    public func evaluate(
        _ cases: [EvaluationCase], index: some VectorIndex,
        interests: (ArraySlice<EvaluationCase>) throws -> InterestBatch
    ) throws -> EvaluationResult {
        try evaluateEachUser(cases, index: index, interests: interests).summary
    }

    /// Every user's metrics for a user tower: `interests` gives each chunk's interest vectors, `index` retrieves
    /// (merging the interests by `aggregation` when given, else by the best score).
    public func evaluateEachUser(
        _ cases: [EvaluationCase], index: some VectorIndex, aggregation: DiverseAggregation? = nil,
        interests: (ArraySlice<EvaluationCase>) throws -> InterestBatch
    ) throws -> PerUserEvaluation {
        try evaluateEachUser(cases) { chunk, n in
            try retrieve(chunk, n: n, index: index, aggregation: aggregation, interests: interests).map { $0.map(\.item) }
        }
    }

    /// `evaluateEachUser` for a user tower, keeping the lists (see `evaluateRanked`).
    public func evaluateRanked(
        _ cases: [EvaluationCase], index: some VectorIndex, aggregation: DiverseAggregation? = nil,
        interests: (ArraySlice<EvaluationCase>) throws -> InterestBatch
    ) throws -> RankedEvaluation {
        try evaluateRanked(cases) { chunk, n in try retrieve(chunk, n: n, index: index, aggregation: aggregation, interests: interests) }
    }

    /// One chunk's merged top `n` by max inner product over its unmasked interests, history excluded.
    private func retrieve(
        _ chunk: ArraySlice<EvaluationCase>, n: Int, index: some VectorIndex, aggregation: DiverseAggregation? = nil,
        interests: (ArraySlice<EvaluationCase>) throws -> InterestBatch
    ) throws -> [[ScoredItem]] {
        let batch = try interests(chunk)
        guard batch.count == chunk.count else {
            throw EvaluationError.interestCountMismatch(expected: chunk.count, got: batch.count)
        }
        guard batch.dimension == index.dimension else {
            throw EvaluationError.dimensionMismatch(interests: batch.dimension, index: index.dimension)
        }
        if let aggregation { return index.recommend(interests: batch, n: n, exclude: chunk.map(\.history), aggregation: aggregation) }
        return index.recommend(interests: batch, n: n, exclude: chunk.map(\.history))
    }
}

/// Every evaluated user's metrics together with the lists they were computed from.
public struct RankedEvaluation: Sendable {
    /// The ranking metrics per user (as `Evaluator.evaluateEachUser` gives them).
    public var users: PerUserEvaluation
    /// Each evaluated user's truth and top `maxCutoff` list, best first, in the order of `users.users`.
    public var truths: [[Int32]]
    public var lists: [[ScoredItem]]

    /// The beyond-accuracy metrics of these lists at each of the evaluation's cutoffs.
    public func beyondAccuracy(facts: CatalogueFacts) -> [BeyondAccuracyMetrics] {
        users.cutoffs.map { BeyondAccuracyMetrics.measure(lists: lists, truths: truths, cutoff: $0, facts: facts) }
    }
}
