/// Indexing ops: row gathers (embedding lookups), scatter-add and per-row picks.
extension Tape {
    /// Rows of a parameter table [N, w] at `indices`, shaped `indexShape + [w]`. The gradient
    /// is sparse: only the rows read receive it, so an optimiser step costs O(rows touched).
    public func embedding(_ table: Parameter, indices: [Int32], indexShape: [Int]? = nil) -> Variable {
        let out = table.value.gatherRows(indices, indexShape: indexShape)
        return record(out) { g, acc in
            g.storage.withUnsafeBufferPointer { gp in
                acc.parameterGradients.accumulateRows(indices, values: gp, for: table)
            }
        }
    }

    /// Rows of a tape value [N, w] at `indices` (dense gradient through scatter-add).
    public func gather(_ table: Variable, indices: [Int32], indexShape: [Int]? = nil) -> Variable {
        let source = table.value
        let out = source.gatherRows(indices, indexShape: indexShape)
        return record(out) { g, acc in
            acc.add(g.scatterAddRows(indices, rowCount: source.shape[0]), to: table)
        }
    }

    /// out[indices[i]] += source[i] for source [n, w]; out has `rowCount` rows.
    public func scatterAdd(_ source: Variable, indices: [Int32], rowCount: Int) -> Variable {
        let value = source.value
        let out = value.reshaped([indices.count, value.count / Swift.max(indices.count, 1)]).scatterAddRows(indices, rowCount: rowCount)
        let sourceShape = value.shape
        return record(out) { g, acc in
            acc.add(g.gatherRows(indices).reshaped(sourceShape), to: source)
        }
    }

    /// out[b] = a[b, columns[b]] for a [B, C]: picks one entry per row (e.g. the target's logit).
    public func pick(_ a: Variable, columns: [Int32]) -> Variable {
        let x = a.value
        precondition(x.rank == 2 && columns.count == x.shape[0], "pick needs [B, C] and B columns, got \(x.shape), \(columns.count).")
        let width = x.shape[1]
        let out = Tensor(shape: [columns.count]) { o in
            for (row, column) in columns.enumerated() { o[row] = x.storage[row * width + Int(column)] }
        }
        return record(out) { g, acc in
            var ga = Tensor.zeros(x.shape)
            for (row, column) in columns.enumerated() { ga.storage[row * width + Int(column)] = g.storage[row] }
            acc.add(ga, to: a)
        }
    }
}

extension Tensor {
    /// Rows of a rank-2 tensor at `indices`, shaped `indexShape + [width]`.
    public func gatherRows(_ indices: [Int32], indexShape: [Int]? = nil) -> Tensor {
        precondition(rank == 2, "gatherRows needs a rank-2 table, got \(shape).")
        let rows = shape[0], width = shape[1]
        let outShape = (indexShape ?? [indices.count]) + [width]
        precondition(outShape.elementCount == indices.count * width, "Index shape \(indexShape ?? []) does not hold \(indices.count) indices.")
        return Tensor(shape: outShape) { out in
            storage.withUnsafeBufferPointer { table in
                for (i, index) in indices.enumerated() {
                    precondition(index >= 0 && Int(index) < rows, "Row \(index) is outside a table of \(rows) rows.")
                    (out.baseAddress! + i * width).update(from: table.baseAddress! + Int(index) * width, count: width)
                }
            }
        }
    }

    /// A [rowCount, width] tensor with row i of self added into row indices[i].
    public func scatterAddRows(_ indices: [Int32], rowCount: Int) -> Tensor {
        let width = count / Swift.max(indices.count, 1)
        var out = Tensor.zeros([rowCount, width])
        out.storage.withUnsafeMutableBufferPointer { o in
            storage.withUnsafeBufferPointer { x in
                for (i, index) in indices.enumerated() {
                    VectorMath.add(x.baseAddress! + i * width, into: o.baseAddress! + Int(index) * width, count: width)
                }
            }
        }
        return out
    }
}
