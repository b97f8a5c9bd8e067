/// A trainable tensor with a stable name, the unit the optimisers update and safetensors stores.
public final class Parameter: @unchecked Sendable {
    /// Name in the checkpoint, e.g. "mind.bilinear".
    public let name: String
    /// Current value; the optimiser writes it between steps, the tape only reads it.
    public var value: Tensor
    /// Embedding tables get sparse row gradients and lazy optimiser updates.
    public let isEmbeddingTable: Bool

    public init(name: String, value: Tensor, isEmbeddingTable: Bool = false) {
        precondition(!isEmbeddingTable || value.rank == 2, "An embedding table must be rank 2, got \(value.shape).")
        self.name = name
        self.value = value
        self.isEmbeddingTable = isEmbeddingTable
    }

    public var shape: [Int] { value.shape }
}

/// Gradient rows of an embedding table: row `rows[i]` receives `values[i * width ..< (i + 1) * width]`.
/// Rows may repeat until `coalesced()` sums them.
public struct SparseRowGradient: Sendable {
    public var width: Int
    public var rows: [Int32]
    public var values: [Float]

    public init(width: Int, rows: [Int32] = [], values: [Float] = []) {
        self.width = width
        self.rows = rows
        self.values = values
    }

    /// Appends more rows (used when one table is read several times in a step).
    public mutating func append(rows newRows: [Int32], values newValues: UnsafeBufferPointer<Float>) {
        rows.append(contentsOf: newRows)
        values.append(contentsOf: newValues)
    }

    public mutating func append(_ other: SparseRowGradient) {
        rows.append(contentsOf: other.rows)
        values.append(contentsOf: other.values)
    }

    /// Distinct rows in ascending order, each with the sum of its contributions (added in arrival order).
    public func coalesced() -> SparseRowGradient {
        guard !rows.isEmpty else { return self }
        // Where the rows are dense enough, an array from row to output slot beats sorting every contribution
        // (a step of pooled genre embeddings sends thousands of contributions to some 20 rows).
        guard let (distinct, slot) = Self.slots(for: rows) else { return coalescedBySorting() }
        var sums = [Float](repeating: 0, count: distinct.count * width)
        sums.withUnsafeMutableBufferPointer { out in
            values.withUnsafeBufferPointer { source in
                for (index, row) in rows.enumerated() {
                    VectorMath.add(source.baseAddress! + index * width, into: out.baseAddress! + Int(slot[Int(row)]) * width, count: width)
                }
            }
        }
        return SparseRowGradient(width: width, rows: distinct, values: sums)
    }

    /// The distinct values of `rows` in ascending order and an array from row to its index among them, or nil
    /// where the rows are too sparse for an array over 0...max(rows) to pay (then sort instead).
    public static func slots(for rows: [Int32]) -> (distinct: [Int32], slot: [Int32])? {
        guard let highest = rows.max(), Int(highest) < 16 * rows.count else { return nil }
        var slot = [Int32](repeating: -1, count: Int(highest) + 1)
        var distinct: [Int32] = []
        for row in rows where slot[Int(row)] < 0 {
            slot[Int(row)] = 0
            distinct.append(row)
        }
        distinct.sort()
        for (index, row) in distinct.enumerated() { slot[Int(row)] = Int32(index) }
        return (distinct, slot)
    }

    /// `coalesced()` for rows spread thinly over a large table: sort (row, position) packed into one integer.
    func coalescedBySorting() -> SparseRowGradient {
        var packed = rows.enumerated().map { UInt64(UInt32(bitPattern: $0.element)) << 32 | UInt64($0.offset) }
        packed.sort()
        let order = packed.map { Int($0 & 0xFFFF_FFFF) }
        var outRows: [Int32] = []
        var outValues: [Float] = []
        outRows.reserveCapacity(rows.count)
        outValues.reserveCapacity(values.count)
        values.withUnsafeBufferPointer { source in
            for index in order {
                let row = rows[index]
                let start = index * width
                if let last = outRows.last, last == row {
                    let base = outValues.count - width
                    for j in 0..<width { outValues[base + j] += source[start + j] }
                } else {
                    outRows.append(row)
                    outValues.append(contentsOf: source[start..<(start + width)])
                }
            }
        }
        return SparseRowGradient(width: width, rows: outRows, values: outValues)
    }
}

/// The gradients one backward pass produced, per parameter: dense tensors and sparse rows.
public struct Gradients: @unchecked Sendable {
    public private(set) var dense: [ObjectIdentifier: (parameter: Parameter, gradient: Tensor)] = [:]
    public private(set) var sparse: [ObjectIdentifier: (parameter: Parameter, gradient: SparseRowGradient)] = [:]

    public init() {}

    public mutating func accumulate(_ gradient: Tensor, for parameter: Parameter) {
        let key = ObjectIdentifier(parameter)
        if var entry = dense[key] {
            dense[key] = nil  // release the dictionary's reference so the add happens in place
            entry.gradient.addInPlace(gradient)
            dense[key] = entry
        } else {
            dense[key] = (parameter, gradient)
        }
    }

    public mutating func accumulateRows(
        _ rows: [Int32], values: UnsafeBufferPointer<Float>, for parameter: Parameter
    ) {
        let key = ObjectIdentifier(parameter)
        var entry = sparse.removeValue(forKey: key) ?? (parameter, SparseRowGradient(width: parameter.shape[1]))
        entry.gradient.append(rows: rows, values: values)
        sparse[key] = entry
    }

    /// Adds another pass's gradients (e.g. a second data-parallel shard) after this one's.
    public mutating func merge(_ other: Gradients) {
        for (_, entry) in other.dense { accumulate(entry.gradient, for: entry.parameter) }
        for (key, entry) in other.sparse {
            var mine = sparse.removeValue(forKey: key) ?? (entry.parameter, SparseRowGradient(width: entry.gradient.width))
            mine.gradient.append(entry.gradient)
            sparse[key] = mine
        }
    }

    /// The dense gradient of a parameter, or the sparse one scattered into a dense tensor.
    public func denseGradient(for parameter: Parameter) -> Tensor? {
        let key = ObjectIdentifier(parameter)
        if let entry = dense[key] { return entry.gradient }
        guard let entry = sparse[key] else { return nil }
        var result = Tensor.zeros(parameter.shape)
        let width = entry.gradient.width
        for (i, row) in entry.gradient.rows.enumerated() {
            for j in 0..<width { result.storage[Int(row) * width + j] += entry.gradient.values[i * width + j] }
        }
        return result
    }

    /// Multiplies every gradient by `factor` (e.g. to average over shards).
    public mutating func scale(by factor: Float) {
        for key in Array(dense.keys) {
            var entry = dense.removeValue(forKey: key)!
            entry.gradient.scaleInPlace(factor)
            dense[key] = entry
        }
        for key in Array(sparse.keys) {
            var entry = sparse.removeValue(forKey: key)!
            for i in entry.gradient.values.indices { entry.gradient.values[i] *= factor }
            sparse[key] = entry
        }
    }
}

extension Tensor {
    /// self += other, same shape.
    public mutating func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "Cannot add shape \(other.shape) into \(shape).")
        let n = count
        storage.withUnsafeMutableBufferPointer { y in
            other.storage.withUnsafeBufferPointer { x in
                VectorMath.add(x.baseAddress!, into: y.baseAddress!, count: n)
            }
        }
    }

    /// self *= factor.
    public mutating func scaleInPlace(_ factor: Float) {
        storage.withUnsafeMutableBufferPointer { y in
            for i in 0..<y.count { y[i] *= factor }
        }
    }
}
