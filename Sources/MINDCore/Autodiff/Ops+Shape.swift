/// Shape ops on the tape: reshape, transpose, concat and split.
extension Tape {
    public func reshape(_ a: Variable, _ shape: [Int]) -> Variable {
        let original = a.shape
        precondition(shape.elementCount == a.value.count, "Cannot reshape \(original) to \(shape).")
        return record(a.value.reshaped(shape)) { g, acc in acc.add(g.reshaped(original), to: a) }
    }

    /// Permutes axes: output axis i is input axis `permutation[i]`.
    public func transpose(_ a: Variable, _ permutation: [Int]) -> Variable {
        let out = a.value.permuted(permutation)
        var inverse = [Int](repeating: 0, count: permutation.count)
        for (i, axis) in permutation.enumerated() { inverse[axis] = i }
        return record(out) { g, acc in acc.add(g.permuted(inverse), to: a) }
    }

    /// Joins tensors along `axis`; all other extents must match.
    public func concat(_ parts: [Variable], axis: Int) -> Variable {
        let values = parts.map(\.value)
        let out = Tensor.concatenate(values, axis: axis)
        let extents = values.map { $0.shape[axis] }
        return record(out) { g, acc in
            let pieces = g.split(axis: axis, sizes: extents)
            for (part, piece) in zip(parts, pieces) where acc.needsGradient(part) { acc.add(piece, to: part) }
        }
    }

    /// Cuts `a` along `axis` into pieces of the given extents.
    public func split(_ a: Variable, axis: Int, sizes: [Int]) -> [Variable] {
        precondition(sizes.reduce(0, +) == a.shape[axis], "split sizes \(sizes) do not add up to \(a.shape[axis]).")
        let pieces = a.value.split(axis: axis, sizes: sizes)
        var offset = 0
        var results: [Variable] = []
        let shape = a.shape
        for (piece, size) in zip(pieces, sizes) {
            let start = offset
            results.append(record(piece) { g, acc in
                var full = Tensor.zeros(shape)
                full.write(g, axis: axis, at: start)
                acc.add(full, to: a)
            })
            offset += size
        }
        return results
    }
}

extension Tensor {
    /// Axes permuted: output axis i is input axis `permutation[i]`.
    public func permuted(_ permutation: [Int]) -> Tensor {
        precondition(permutation.sorted() == Array(0..<rank), "\(permutation) is not a permutation of \(rank) axes.")
        if permutation == Array(0..<rank) { return self }
        let newShape = permutation.map { shape[$0] }
        var inputStrides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { inputStrides[axis] = inputStrides[axis + 1] * shape[axis + 1] }
        let strides = permutation.map { inputStrides[$0] }
        return Tensor(shape: newShape) { out in
            storage.withUnsafeBufferPointer { x in
                var counter = [Int](repeating: 0, count: rank)
                var offset = 0
                for index in 0..<out.count {
                    out[index] = x[offset]
                    var axis = rank - 1
                    while axis >= 0 {
                        counter[axis] += 1
                        offset += strides[axis]
                        if counter[axis] < newShape[axis] { break }
                        offset -= strides[axis] * newShape[axis]
                        counter[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
    }

    /// Tensors joined along `axis`.
    public static func concatenate(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concatenate needs at least one tensor.")
        var shape = parts[0].shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        var result = Tensor.zeros(shape)
        var offset = 0
        for part in parts {
            result.write(part, axis: axis, at: offset)
            offset += part.shape[axis]
        }
        return result
    }

    /// Pieces along `axis` with the given extents.
    public func split(axis: Int, sizes: [Int]) -> [Tensor] {
        let (outer, length, inner) = shape.split(at: axis)
        var offset = 0
        return sizes.map { size in
            var pieceShape = shape
            pieceShape[axis] = size
            let start = offset
            offset += size
            return Tensor(shape: pieceShape) { out in
                storage.withUnsafeBufferPointer { x in
                    for i in 0..<outer {
                        (out.baseAddress! + i * size * inner).update(
                            from: x.baseAddress! + (i * length + start) * inner, count: size * inner)
                    }
                }
            }
        }
    }

    /// Copies `part` into this tensor along `axis` starting at `offset`.
    public mutating func write(_ part: Tensor, axis: Int, at offset: Int) {
        let (outer, length, inner) = shape.split(at: axis)
        let size = part.shape[axis]
        storage.withUnsafeMutableBufferPointer { out in
            part.storage.withUnsafeBufferPointer { x in
                for i in 0..<outer {
                    (out.baseAddress! + (i * length + offset) * inner).update(
                        from: x.baseAddress! + i * size * inner, count: size * inner)
                }
            }
        }
    }
}

extension Tape {
    /// The slices of `a` along its first axis, each of shape `a.shape.dropFirst()` (a recurrent
    /// layer's time steps). Unlike `split`, whose every piece sends back a full-size gradient, each
    /// slice adds only its own rows, so unstacking L steps costs O(L) rather than O(L^2) backwards.
    public func unstack(_ a: Variable) -> [Variable] {
        let x = a.value
        precondition(x.rank >= 1, "unstack needs a tensor of rank 1 or more.")
        let count = x.shape[0], shape = Array(x.shape.dropFirst())
        let width = shape.elementCount
        return (0..<count).map { index in
            let piece = Tensor(shape: shape, storage: Array(x.storage[(index * width)..<((index + 1) * width)]))
            return record(piece) { g, acc in acc.addRows(g, to: a, startingAt: index * width) }
        }
    }
}

extension GradientAccumulator {
    /// Adds `gradient` into the elements of `variable`'s gradient from `offset` on (a contiguous part).
    public mutating func addRows(_ gradient: Tensor, to variable: Variable, startingAt offset: Int) {
        var existing = gradients[variable.id] ?? Tensor.zeros(variable.shape)
        gradients[variable.id] = nil  // keep the storage uniquely referenced for the in-place add
        existing.storage.withUnsafeMutableBufferPointer { y in
            gradient.storage.withUnsafeBufferPointer { x in
                VectorMath.add(x.baseAddress!, into: y.baseAddress! + offset, count: x.count)
            }
        }
        gradients[variable.id] = existing
    }
}
