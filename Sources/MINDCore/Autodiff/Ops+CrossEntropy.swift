import Foundation

/// The columns of a [B, C] score matrix that each row's softmax leaves out (accidental hits, a candidate that is
/// the row's own target, and any other items the caller names), in compressed rows: row r's columns are
/// `columns[rowStarts[r]..<rowStarts[r + 1]]`, in any order, a column possibly more than once. Rows are kept as
/// given, not sorted: under `softmax-excludes-history` a row is a user's whole history so far (hundreds of items on
/// MovieLens), and sorting every target's row was a twentieth of a training step. Two values are equal when each
/// row leaves out the same set of columns.
public struct ExcludedColumns: Sendable {
    public private(set) var columns: [Int32] = []
    public private(set) var rowStarts: [Int] = [0]

    public init() {}

    /// Appends the next row's excluded columns: `rowColumns` and `moreColumns`, in any order, repeats allowed.
    public mutating func appendRow(_ rowColumns: some Sequence<Int32>, _ moreColumns: some Sequence<Int32> = EmptyCollection()) {
        columns.append(contentsOf: rowColumns)
        columns.append(contentsOf: moreColumns)
        rowStarts.append(columns.count)
    }

    public var rowCount: Int { rowStarts.count - 1 }

    /// Row `row`'s excluded columns, as appended.
    public func row(_ row: Int) -> ArraySlice<Int32> { columns[rowStarts[row]..<rowStarts[row + 1]] }
}

extension ExcludedColumns: Equatable {
    public static func == (lhs: ExcludedColumns, rhs: ExcludedColumns) -> Bool {
        lhs.rowCount == rhs.rowCount && (0..<lhs.rowCount).allSatisfy { Set(lhs.row($0)) == Set(rhs.row($0)) }
    }
}

extension Tape {
    /// The softmax cross-entropy of each row's target against its candidates, averaged over the B rows (a scalar):
    ///
    ///     mean_r [ log(exp(t_r) + sum_{j kept} exp(s_rj)) - t_r ],  t = target (+ offsets[:, 0]),  s = candidates (+ offsets[:, 1...])
    ///
    /// with `target` [B, 1] or [B], `candidates` [B, C], `offsets` an optional constant [B, 1 + C] (logQ correction,
    /// hard-negative weights) and `excluded` the candidate columns each row leaves out. It is the value of
    /// -mean(pick(logSoftmax(concat([target, candidates]) + offsets, mask), 0)), computed without the [B, 1 + C]
    /// logits, mask, log-probabilities and their three gradients: forward reads the scores twice (maximum, sum of
    /// exponentials) and keeps one log-sum-exp per row; backward writes the candidates' gradient in one pass.
    /// Under the full softmax (C = the catalogue) those passes were most of a step's work outside the matrix products.
    public func targetCrossEntropy(target: Variable, candidates: Variable, excluded: ExcludedColumns, offsets: Tensor? = nil) -> Variable {
        let rows = candidates.shape[0], width = candidates.shape[1]
        precondition(candidates.value.rank == 2 && target.value.count == rows && excluded.rowCount == rows,
                     "targetCrossEntropy needs candidates [B, C], B targets and B rows of exclusions; got \(candidates.shape), \(target.shape), \(excluded.rowCount).")
        if let offsets { precondition(offsets.shape == [rows, 1 + width], "offsets \(offsets.shape) are not [\(rows), \(1 + width)].") }
        // The logits with their offsets (a copy only when there are offsets): targets [B], candidates [B, C].
        var targetLogits = target.value.storage, candidateLogits = candidates.value
        if let offsets {
            offsets.storage.withUnsafeBufferPointer { offset in
                candidateLogits.storage.withUnsafeMutableBufferPointer { logits in
                    for row in 0..<rows {
                        targetLogits[row] += offset[row * (1 + width)]
                        VectorMath.add(offset.baseAddress! + row * (1 + width) + 1, into: logits.baseAddress! + row * width, count: width)
                    }
                }
            }
        }
        var logSumExp = [Float](repeating: 0, count: rows)
        var total: Float = 0
        // A row with exclusions is copied here with those columns at -infinity, so the maximum and the sum run over
        // the whole row on SIMD lanes rather than over the runs between excluded columns (a long history cuts a row
        // into runs of a few columns, mostly scalar tails). exp(-infinity - m) comes out as at most 1.2e-38
        // (`VectorMath.exp` clamps its argument), and the sum is at least 1 (its largest term is exp(0)), so they
        // round away.
        var maskedRow = [Float](repeating: 0, count: width)
        candidateLogits.storage.withUnsafeBufferPointer { scores in
            maskedRow.withUnsafeMutableBufferPointer { masked in
                for row in 0..<rows {
                    var scoresOfRow = scores.baseAddress! + row * width
                    let excludedOfRow = excluded.row(row)
                    if !excludedOfRow.isEmpty {
                        masked.baseAddress!.update(from: scoresOfRow, count: width)
                        for column in excludedOfRow { masked[Int(column)] = -.infinity }
                        scoresOfRow = UnsafePointer(masked.baseAddress!)
                    }
                    let largest = Swift.max(targetLogits[row], VectorMath.maximum(scoresOfRow, mask: nil, count: width))
                    let exponentials = VectorMath.exp(targetLogits[row] - largest)
                        + VectorMath.sumOfExp(scoresOfRow, minus: largest, count: width)
                    logSumExp[row] = largest + Foundation.log(exponentials)
                    total += logSumExp[row] - targetLogits[row]
                }
            }
        }
        let loss = rows == 0 ? 0 : total / Float(rows)
        return record(Tensor(scalar: loss)) { g, acc in
            let perRow = rows == 0 ? 0 : g.scalar / Float(rows)
            if acc.needsGradient(candidates) {
                // d/ds_rj = softmax_rj / B for kept columns, 0 for excluded ones.
                let gradient = Tensor(shape: candidates.shape) { d in
                    candidateLogits.storage.withUnsafeBufferPointer { scores in
                        for row in 0..<rows {
                            let base = row * width
                            VectorMath.exp(scores.baseAddress! + base, minus: logSumExp[row], times: perRow, d.baseAddress! + base, count: width)
                            for column in excluded.row(row) { d[base + Int(column)] = 0 }
                        }
                    }
                }
                acc.add(gradient, to: candidates)
            }
            if acc.needsGradient(target) {
                // d/dt_r = (softmax_r0 - 1) / B.
                let gradient = Tensor(shape: target.shape) { d in
                    for row in 0..<rows { d[row] = perRow * (VectorMath.exp(targetLogits[row] - logSumExp[row]) - 1) }
                }
                acc.add(gradient, to: target)
            }
        }
    }
}
