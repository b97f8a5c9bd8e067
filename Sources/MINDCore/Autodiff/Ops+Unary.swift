/// Element-wise non-linearities on the tape, each with its derivative written out.
extension Tape {
    public func exp(_ a: Variable) -> Variable {
        let out = a.value.mapLanes { VectorMath.exp($0) }
        return record(out) { g, acc in acc.add(g.zipLanes(out) { $0 * $1 }, to: a) }
    }

    public func log(_ a: Variable) -> Variable {
        let x = a.value
        let out = Tensor(shape: x.shape, storage: x.storage.map { Foundation.log($0) })
        return record(out) { g, acc in acc.add(g.zipLanes(x) { $0 / $1 }, to: a) }
    }

    public func sigmoid(_ a: Variable) -> Variable {
        let out = a.value.mapLanes { VectorMath.sigmoid($0) }
        return record(out) { g, acc in acc.add(g.zipLanes(out) { $0 * $1 * (1 - $1) }, to: a) }
    }

    public func tanh(_ a: Variable) -> Variable {
        let x = a.value
        let out = Tensor(shape: x.shape) { out in
            x.storage.withUnsafeBufferPointer { VectorMath.tanh($0.baseAddress!, out.baseAddress!, count: out.count) }
        }
        return record(out) { g, acc in acc.add(g.zipLanes(out) { $0 * (1 - $1 * $1) }, to: a) }
    }

    public func relu(_ a: Variable) -> Variable {
        let x = a.value
        let zero = VectorMath.Lanes(repeating: 0)
        let out = x.mapLanes { $0.replacing(with: zero, where: $0 .< zero) }
        return record(out) { g, acc in
            acc.add(g.zipLanes(x) { $0.replacing(with: zero, where: $1 .<= zero) }, to: a)
        }
    }

    /// GELU(x) = x Phi(x) with the exact normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2 (Hendrycks and Gimpel
    /// 2016; the form RecBole's SASRec uses); derivative Phi(x) + x phi(x), phi the normal density.
    public func gelu(_ a: Variable) -> Variable {
        let x = a.value
        let cdf = x.storage.map { 0.5 * (1 + Foundation.erf($0 * Float(0.5).squareRoot())) }
        let out = Tensor(shape: x.shape, storage: zip(x.storage, cdf).map { $0 * $1 })
        return record(out) { g, acc in
            let inverseRootTwoPi = 1 / Float(2 * Float.pi).squareRoot()
            let local = Tensor(shape: x.shape, storage: zip(x.storage, cdf).map { x, phi in
                phi + x * inverseRootTwoPi * Foundation.exp(-0.5 * x * x)
            })
            acc.add(g.zipLanes(local) { $0 * $1 }, to: a)
        }
    }

    /// x^p element-wise for a constant exponent; x must be positive unless p is a whole number.
    public func pow(_ a: Variable, _ exponent: Float) -> Variable {
        let x = a.value
        let out = Tensor(shape: x.shape, storage: x.storage.map { Foundation.pow($0, exponent) })
        return record(out) { g, acc in
            let local = Tensor(shape: x.shape, storage: x.storage.map { exponent * Foundation.pow($0, exponent - 1) })
            acc.add(g.zipLanes(local) { $0 * $1 }, to: a)
        }
    }

    public func negate(_ a: Variable) -> Variable { scale(a, by: -1) }
}

extension Variable {
    public static prefix func - (a: Variable) -> Variable { a.tape.negate(a) }
}

import Foundation
