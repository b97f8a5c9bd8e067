/// Reductions on the tape. An axis splits a tensor into [outer, axis, inner] blocks.
extension Tape {
    /// Sum over `axis`; `keepingDimension` leaves it with extent 1.
    public func sum(_ a: Variable, axis: Int, keepingDimension: Bool = false) -> Variable {
        let x = a.value
        let (outer, length, inner) = x.shape.split(at: axis)
        var outShape = x.shape
        if keepingDimension { outShape[axis] = 1 } else { outShape.remove(at: axis) }
        let out = Tensor(shape: outShape) { o in
            x.storage.withUnsafeBufferPointer { xp in
                o.update(repeating: 0)
                for i in 0..<outer {
                    for j in 0..<length {
                        VectorMath.add(xp.baseAddress! + (i * length + j) * inner, into: o.baseAddress! + i * inner, count: inner)
                    }
                }
            }
        }
        return record(out) { g, acc in
            let ga = Tensor(shape: x.shape) { d in
                g.storage.withUnsafeBufferPointer { gp in
                    for i in 0..<outer {
                        for j in 0..<length {
                            (d.baseAddress! + (i * length + j) * inner).update(from: gp.baseAddress! + i * inner, count: inner)
                        }
                    }
                }
            }
            acc.add(ga, to: a)
        }
    }

    /// Mean over `axis`.
    public func mean(_ a: Variable, axis: Int, keepingDimension: Bool = false) -> Variable {
        scale(sum(a, axis: axis, keepingDimension: keepingDimension), by: 1 / Float(a.shape[axis]))
    }

    /// Sum of every element, a scalar.
    public func sum(_ a: Variable) -> Variable {
        let x = a.value
        var total: Float = 0
        x.storage.withUnsafeBufferPointer { xp in
            var lanes = VectorMath.Lanes(repeating: 0)
            var i = 0
            let raw = UnsafeRawPointer(xp.baseAddress!)
            while i + 8 <= xp.count {
                lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: VectorMath.Lanes.self)
                i += 8
            }
            total = lanes.sum()
            while i < xp.count {
                total += xp[i]
                i += 1
            }
        }
        return record(Tensor(scalar: total)) { g, acc in
            acc.add(Tensor(shape: x.shape, repeating: g.scalar), to: a)
        }
    }

    /// Mean of every element, a scalar.
    public func mean(_ a: Variable) -> Variable {
        scale(sum(a), by: 1 / Float(Swift.max(a.value.count, 1)))
    }

    /// Maximum over `axis`; the gradient flows to the first position holding the maximum.
    public func max(_ a: Variable, axis: Int, keepingDimension: Bool = false) -> Variable {
        let x = a.value
        let (outer, length, inner) = x.shape.split(at: axis)
        precondition(length > 0, "max over an empty axis of shape \(x.shape).")
        var outShape = x.shape
        if keepingDimension { outShape[axis] = 1 } else { outShape.remove(at: axis) }
        var argmax = [Int32](repeating: 0, count: outer * inner)
        let out = Tensor(shape: outShape) { o in
            for i in 0..<outer {
                for t in 0..<inner {
                    var best = x.storage[i * length * inner + t]
                    var bestIndex = 0
                    for j in 1..<length {
                        let value = x.storage[(i * length + j) * inner + t]
                        if value > best {
                            best = value
                            bestIndex = j
                        }
                    }
                    o[i * inner + t] = best
                    argmax[i * inner + t] = Int32(bestIndex)
                }
            }
        }
        return record(out) { g, acc in
            var ga = Tensor.zeros(x.shape)
            for i in 0..<outer {
                for t in 0..<inner {
                    ga.storage[(i * length + Int(argmax[i * inner + t])) * inner + t] = g.storage[i * inner + t]
                }
            }
            acc.add(ga, to: a)
        }
    }
}

extension Array where Element == Int {
    /// Views a shape as [outer, extent of axis, inner] for axis-wise kernels.
    @inline(__always)
    public func split(at axis: Int) -> (outer: Int, length: Int, inner: Int) {
        precondition(axis >= 0 && axis < count, "Axis \(axis) is out of range for shape \(self).")
        var outer = 1
        for i in 0..<axis { outer *= self[i] }
        var inner = 1
        for i in (axis + 1)..<count { inner *= self[i] }
        return (outer, self[axis], inner)
    }
}
