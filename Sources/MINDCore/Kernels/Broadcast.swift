/// NumPy broadcasting for element-wise binary ops: shape rules, strided loops, and the
/// reduction that sends a broadcast output's gradient back to an input's shape.
public enum Broadcast {
    /// The broadcast shape of `a` and `b`, or nil if they are incompatible.
    public static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let x = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
            let y = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
            if x == y || y == 1 { result[axis] = x } else if x == 1 { result[axis] = y } else { return nil }
        }
        return result
    }

    /// Strides of `input` laid out in `output`'s axes, 0 along broadcast axes.
    static func strides(of input: [Int], in output: [Int]) -> [Int] {
        let rank = output.count
        var strides = [Int](repeating: 0, count: rank)
        var step = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            let inputAxis = axis - (rank - input.count)
            if inputAxis < 0 { break }
            let extent = input[inputAxis]
            strides[axis] = extent == 1 ? 0 : step
            step *= extent
        }
        return strides
    }

    /// Calls `body(outputOffset, aOffset, bOffset)` for each run along the last axis, with the
    /// run's length and the inputs' strides along it (0 or 1).
    static func forEachRun(
        output: [Int], aStrides: [Int], bStrides: [Int],
        _ body: (_ out: Int, _ a: Int, _ b: Int, _ length: Int, _ aStep: Int, _ bStep: Int) -> Void
    ) {
        let rank = output.count
        if rank == 0 {
            body(0, 0, 0, 1, 0, 0)
            return
        }
        let length = output[rank - 1]
        let aStep = aStrides[rank - 1]
        let bStep = bStrides[rank - 1]
        let runs = output.elementCount / max(length, 1)
        if length == 0 { return }
        var counter = [Int](repeating: 0, count: rank)
        var aOffset = 0
        var bOffset = 0
        for run in 0..<runs {
            body(run * length, aOffset, bOffset, length, aStep, bStep)
            // Advance the multi-index over the outer axes (odometer style).
            var axis = rank - 2
            while axis >= 0 {
                counter[axis] += 1
                aOffset += aStrides[axis]
                bOffset += bStrides[axis]
                if counter[axis] < output[axis] { break }
                aOffset -= aStrides[axis] * output[axis]
                bOffset -= bStrides[axis] * output[axis]
                counter[axis] = 0
                axis -= 1
            }
        }
    }

    /// out = f(a, b) with broadcasting; `lanes` handles contiguous same-length runs, `scalar` the rest.
    @inline(__always)
    public static func apply(
        _ a: Tensor, _ b: Tensor,
        lanes: (VectorMath.Lanes, VectorMath.Lanes) -> VectorMath.Lanes,
        scalar: (Float, Float) -> Float
    ) -> Tensor {
        if a.shape == b.shape {
            return Tensor(shape: a.shape) { out in
                a.storage.withUnsafeBufferPointer { x in
                    b.storage.withUnsafeBufferPointer { y in
                        VectorMath.zip(x.baseAddress!, y.baseAddress!, out.baseAddress!, count: out.count, lanes: lanes)
                    }
                }
            }
        }
        guard let outputShape = shape(a.shape, b.shape) else {
            preconditionFailure("Shapes \(a.shape) and \(b.shape) do not broadcast.")
        }
        let aStrides = strides(of: a.shape, in: outputShape)
        let bStrides = strides(of: b.shape, in: outputShape)
        return Tensor(shape: outputShape) { out in
            a.storage.withUnsafeBufferPointer { x in
                b.storage.withUnsafeBufferPointer { y in
                    let o = out.baseAddress!
                    let xp = x.baseAddress!
                    let yp = y.baseAddress!
                    forEachRun(output: outputShape, aStrides: aStrides, bStrides: bStrides) {
                        outOffset, aOffset, bOffset, length, aStep, bStep in
                        if aStep == 1 && bStep == 1 {
                            VectorMath.zip(xp + aOffset, yp + bOffset, o + outOffset, count: length, lanes: lanes)
                        } else if aStep == 1 {
                            let constant = VectorMath.Lanes(repeating: yp[bOffset])
                            VectorMath.map(xp + aOffset, o + outOffset, count: length) { lanes($0, constant) }
                        } else if bStep == 1 {
                            let constant = VectorMath.Lanes(repeating: xp[aOffset])
                            VectorMath.map(yp + bOffset, o + outOffset, count: length) { lanes(constant, $0) }
                        } else {
                            let value = scalar(xp[aOffset], yp[bOffset])
                            for i in 0..<length { o[outOffset + i] = value }
                        }
                    }
                }
            }
        }
    }

    /// Sums `gradient` (broadcast shape) down to `shape`: the pullback of broadcasting.
    public static func reduce(_ gradient: Tensor, to shape: [Int]) -> Tensor {
        if gradient.shape == shape { return gradient }
        if shape.elementCount == 1 {
            var total: Float = 0
            for value in gradient.storage { total += value }
            return Tensor(shape: shape, storage: [total])
        }
        let targetStrides = strides(of: shape, in: gradient.shape)
        var result = Tensor.zeros(shape)
        result.storage.withUnsafeMutableBufferPointer { out in
            gradient.storage.withUnsafeBufferPointer { g in
                let o = out.baseAddress!
                let gp = g.baseAddress!
                forEachRun(output: gradient.shape, aStrides: targetStrides, bStrides: targetStrides) {
                    gOffset, tOffset, _, length, tStep, _ in
                    if tStep == 1 {
                        VectorMath.add(gp + gOffset, into: o + tOffset, count: length)
                    } else {
                        var sum: Float = 0
                        for i in 0..<length { sum += gp[gOffset + i] }
                        o[tOffset] += sum
                    }
                }
            }
        }
        return result
    }
}
