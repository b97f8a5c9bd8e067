/// The capsule non-linearity of dynamic routing.
extension Tape {
    /// squash(z) = |z|^2 / (1 + |z|^2) * z / |z| along the last axis: keeps direction,
    /// maps length into [0, 1).
    public func squash(_ a: Variable, epsilon: Float = 1e-9) -> Variable {
        let z = a.value
        let width = z.shape[z.rank - 1]
        let vectors = z.count / Swift.max(width, 1)
        var norms = [Float](repeating: 0, count: vectors)
        let out = Tensor(shape: z.shape) { o in
            z.storage.withUnsafeBufferPointer { zp in
                for v in 0..<vectors {
                    let base = zp.baseAddress! + v * width
                    let squared = VectorMath.dot(base, base, count: width)
                    let norm = (squared + epsilon).squareRoot()
                    norms[v] = norm
                    let factor = squared / (1 + squared) / norm
                    for j in 0..<width { o[v * width + j] = base[j] * factor }
                }
            }
        }
        return record(out) { g, acc in
            // With s = |z|^2, n = sqrt(s + eps), f(s) = s / ((1 + s) n):
            // dz = f g + 2 f'(s) (g . z) z, where f'(s) = [n^2 (1 + s) - s (n^2 + (1 + s)/2 ... )]
            // is computed from d/ds [s / ((1 + s) n)] = 1/((1+s) n) - s/((1+s)^2 n) - s/(2 (1+s) n^3).
            let ga = Tensor(shape: z.shape) { d in
                z.storage.withUnsafeBufferPointer { zp in
                    g.storage.withUnsafeBufferPointer { gp in
                        for v in 0..<vectors {
                            let zBase = zp.baseAddress! + v * width
                            let gBase = gp.baseAddress! + v * width
                            let s = VectorMath.dot(zBase, zBase, count: width)
                            let n = norms[v]
                            let onePlus = 1 + s
                            let f = s / (onePlus * n)
                            let derivative = 1 / (onePlus * n) - s / (onePlus * onePlus * n) - s / (2 * onePlus * n * n * n)
                            let projection = VectorMath.dot(gBase, zBase, count: width)
                            let radial = 2 * derivative * projection
                            for j in 0..<width { d[v * width + j] = f * gBase[j] + radial * zBase[j] }
                        }
                    }
                }
            }
            acc.add(ga, to: a)
        }
    }
}
