import MINDCore

/// A lookup table of vectors whose gradient touches only the rows a batch reads.
public struct Embedding {
    public let table: Parameter  // [count, dimension]

    public init(name: String, count: Int, dimension: Int, standardDeviation: Float = 0.05, generator: inout SeededGenerator) {
        table = Parameter(
            name: name, value: .randomNormal([count, dimension], standardDeviation: standardDeviation, using: &generator),
            isEmbeddingTable: true)
    }

    public var dimension: Int { table.shape[1] }
    public var count: Int { table.shape[0] }

    /// Rows at `indices`, shaped `shape + [dimension]`.
    public func callAsFunction(_ tape: Tape, _ indices: [Int32], shape: [Int]? = nil) -> Variable {
        tape.embedding(table, indices: indices, indexShape: shape)
    }

    /// Mean of the rows listed for each entity (CSR `offsets`, `values`): [entities, dimension].
    /// An entity with no values gets the zero vector. Used for multi-valued side features
    /// such as a movie's genres.
    public func pooled(_ tape: Tape, offsets: [Int32], values: [Int32]) -> Variable {
        tape.pooledEmbedding(table, offsets: offsets, values: values)
    }
}

extension Tape {
    /// Mean-pooled rows of `table` per entity; sparse gradient g[e] / count(e) to each row read.
    public func pooledEmbedding(_ table: Parameter, offsets: [Int32], values: [Int32]) -> Variable {
        let entities = offsets.count - 1
        let width = table.shape[1]
        let out = Tensor(shape: [entities, width]) { o in
            o.update(repeating: 0)
            table.value.storage.withUnsafeBufferPointer { t in
                for e in 0..<entities {
                    let start = Int(offsets[e]), end = Int(offsets[e + 1])
                    if end == start { continue }
                    let row = o.baseAddress! + e * width
                    for v in start..<end {
                        VectorMath.add(t.baseAddress! + Int(values[v]) * width, into: row, count: width)
                    }
                    let scale = 1 / Float(end - start)
                    for j in 0..<width { row[j] *= scale }
                }
            }
        }
        return record(out) { g, acc in
            // Row v of `values` receives g[e] / count(e). A catalogue's genres send thousands of reads to some 20
            // rows: sum them here per distinct row instead of handing every read on to be copied and coalesced.
            let slots = SparseRowGradient.slots(for: values)  // nil: one row per read
            let rows = slots?.distinct ?? values
            var sums = [Float](repeating: 0, count: rows.count * width)
            g.storage.withUnsafeBufferPointer { gradient in
                sums.withUnsafeMutableBufferPointer { sums in
                    for e in 0..<entities {
                        let start = Int(offsets[e]), end = Int(offsets[e + 1])
                        if end == start { continue }
                        let scale = 1 / Float(end - start)
                        for v in start..<end {
                            let target = slots.map { Int($0.slot[Int(values[v])]) } ?? v
                            VectorMath.axpy(scale, gradient.baseAddress! + e * width, sums.baseAddress! + target * width, count: width)
                        }
                    }
                }
            }
            sums.withUnsafeBufferPointer { acc.parameterGradients.accumulateRows(rows, values: $0, for: table) }
        }
    }
}
