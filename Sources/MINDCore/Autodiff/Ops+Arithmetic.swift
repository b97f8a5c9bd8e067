/// Broadcasting arithmetic on the tape: +, -, *, / and scalar forms.
extension Tape {
    public func add(_ a: Variable, _ b: Variable) -> Variable {
        let aShape = a.shape, bShape = b.shape
        let out = Broadcast.apply(a.value, b.value, lanes: { $0 + $1 }, scalar: { $0 + $1 })
        return record(out) { g, acc in
            if acc.needsGradient(a) { acc.add(Broadcast.reduce(g, to: aShape), to: a) }
            if acc.needsGradient(b) { acc.add(Broadcast.reduce(g, to: bShape), to: b) }
        }
    }

    public func subtract(_ a: Variable, _ b: Variable) -> Variable {
        let aShape = a.shape, bShape = b.shape
        let out = Broadcast.apply(a.value, b.value, lanes: { $0 - $1 }, scalar: { $0 - $1 })
        return record(out) { g, acc in
            if acc.needsGradient(a) { acc.add(Broadcast.reduce(g, to: aShape), to: a) }
            if acc.needsGradient(b) { acc.add(Broadcast.reduce(g.scaled(by: -1), to: bShape), to: b) }
        }
    }

    public func multiply(_ a: Variable, _ b: Variable) -> Variable {
        let x = a.value, y = b.value
        let out = Broadcast.apply(x, y, lanes: { $0 * $1 }, scalar: { $0 * $1 })
        return record(out) { g, acc in
            if acc.needsGradient(a) {
                let ga = Broadcast.apply(g, y, lanes: { $0 * $1 }, scalar: { $0 * $1 })
                acc.add(Broadcast.reduce(ga, to: x.shape), to: a)
            }
            if acc.needsGradient(b) {
                let gb = Broadcast.apply(g, x, lanes: { $0 * $1 }, scalar: { $0 * $1 })
                acc.add(Broadcast.reduce(gb, to: y.shape), to: b)
            }
        }
    }

    public func divide(_ a: Variable, _ b: Variable) -> Variable {
        let x = a.value, y = b.value
        let out = Broadcast.apply(x, y, lanes: { $0 / $1 }, scalar: { $0 / $1 })
        return record(out) { g, acc in
            let gOverY = Broadcast.apply(g, y, lanes: { $0 / $1 }, scalar: { $0 / $1 })
            if acc.needsGradient(a) { acc.add(Broadcast.reduce(gOverY, to: x.shape), to: a) }
            if acc.needsGradient(b) {
                // d(x/y)/dy = -x/y^2 = -(g/y) * (x/y) = -(g/y) * out
                let gb = Broadcast.apply(gOverY, out, lanes: { -$0 * $1 }, scalar: { -$0 * $1 })
                acc.add(Broadcast.reduce(gb, to: y.shape), to: b)
            }
        }
    }

    /// a * factor for a constant factor.
    public func scale(_ a: Variable, by factor: Float) -> Variable {
        record(a.value.scaled(by: factor)) { g, acc in acc.add(g.scaled(by: factor), to: a) }
    }

    /// a + constant.
    public func addScalar(_ a: Variable, _ constant: Float) -> Variable {
        let out = a.value.mapLanes { $0 + constant }
        return record(out) { g, acc in acc.add(g, to: a) }
    }
}

extension Tensor {
    /// Every element times `factor`.
    public func scaled(by factor: Float) -> Tensor {
        mapLanes { $0 * factor }
    }

    /// Applies a lane-wise function to every element (SIMD, on the calling thread: callers parallelise over
    /// samples or shards with their own thread budget).
    @inline(__always)
    public func mapLanes(_ lanes: (VectorMath.Lanes) -> VectorMath.Lanes) -> Tensor {
        Tensor(shape: shape) { out in
            storage.withUnsafeBufferPointer { x in
                VectorMath.map(x.baseAddress!, out.baseAddress!, count: out.count, lanes: lanes)
            }
        }
    }

    /// Applies a lane-wise function to pairs of elements of two same-shaped tensors.
    @inline(__always)
    public func zipLanes(_ other: Tensor, _ lanes: (VectorMath.Lanes, VectorMath.Lanes) -> VectorMath.Lanes) -> Tensor {
        precondition(shape == other.shape, "zipLanes needs equal shapes, got \(shape) and \(other.shape).")
        return Tensor(shape: shape) { out in
            storage.withUnsafeBufferPointer { x in
                other.storage.withUnsafeBufferPointer { y in
                    VectorMath.zip(x.baseAddress!, y.baseAddress!, out.baseAddress!, count: out.count, lanes: lanes)
                }
            }
        }
    }
}

extension Variable {
    public static func + (a: Variable, b: Variable) -> Variable { a.tape.add(a, b) }
    public static func - (a: Variable, b: Variable) -> Variable { a.tape.subtract(a, b) }
    public static func * (a: Variable, b: Variable) -> Variable { a.tape.multiply(a, b) }
    public static func / (a: Variable, b: Variable) -> Variable { a.tape.divide(a, b) }
    public static func * (a: Variable, factor: Float) -> Variable { a.tape.scale(a, by: factor) }
    public static func + (a: Variable, constant: Float) -> Variable { a.tape.addScalar(a, constant) }
}
