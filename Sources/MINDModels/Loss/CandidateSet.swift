import MINDCore

/// The items each training target competes with in the sampled softmax: the whole catalogue,
/// the batch's targets, or sampled negatives shared by the batch or drawn per sample.
struct CandidateSet {
    /// Where the candidates come from; decides their layout and how their vectors are found.
    enum Source: Equatable {
        /// Every item, in index order, shared by the batch.
        case catalogue
        /// The batch's own targets, shared by the batch.
        case inBatch
        /// Negatives drawn once for the whole batch.
        case sampledShared
        /// Negatives drawn separately for each sample.
        case sampledPerSample
    }

    let source: Source
    /// Candidate items: one per column when shared, row-major [B, C] when per sample.
    let items: [Int32]
    /// Samples in the batch, B.
    let batchSize: Int
    /// Candidates per sample, C (the softmax has C + 1 columns, the target first).
    let columnCount: Int

    /// `items` laid out as `source` says; a per-sample set of `batchSize` rows.
    init(source: Source, items: [Int32], batchSize: Int) {
        let perSample = source == .sampledPerSample
        precondition(!perSample || items.count % max(batchSize, 1) == 0,
                     "Per-sample candidates must hold the same number of items for every sample.")
        self.source = source
        self.items = items
        self.batchSize = batchSize
        columnCount = perSample ? items.count / max(batchSize, 1) : items.count
    }

    /// Whether each sample has its own candidates ([B, C, d] vectors) instead of shared ones ([C, d]).
    var isPerSample: Bool { source == .sampledPerSample }

    /// The item in candidate column `column` (0-based, the target's column excluded) of a sample.
    func item(sample: Int, column: Int) -> Int32 {
        isPerSample ? items[sample * columnCount + column] : items[column]
    }

    /// The distinct items the batch touches: histories, targets, then sampled candidates
    /// (the catalogue maps every item to itself).
    func localItems(histories: [Int32], targets: [Int32]) -> LocalItems {
        switch source {
        case .catalogue: return LocalItems(all: items.count)
        case .inBatch: return LocalItems(histories, targets, [])
        case .sampledShared, .sampledPerSample: return LocalItems(histories, targets, items)
        }
    }

    /// The candidates' vectors: [C, d] when shared, [B, C, d] per sample.
    func vectors(_ tape: Tape, itemVectors: Variable, targetVectors: Variable, local: LocalItems) -> Variable {
        switch source {
        case .catalogue: return itemVectors  // [I, d], local index = item index
        case .inBatch: return targetVectors  // [B, d]
        case .sampledShared: return tape.gather(itemVectors, indices: local.map(items))  // [N, d]
        case .sampledPerSample:
            return tape.gather(itemVectors, indices: local.map(items), indexShape: [batchSize, columnCount])  // [B, N, d]
        }
    }
}
