/// Matrix products on the tape.
extension Tape {
    /// op(A) op(B). A may have leading axes ([..., M, K] without transpose), which are
    /// flattened into rows: [B, L, d] x [d, h] -> [B, L, h] is one GEMM.
    public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        let x = a.value, y = b.value, kernel = products  // a value, so pullbacks do not capture the tape
        precondition(y.rank == 2, "matmul needs a rank-2 right operand, got \(y.shape).")
        precondition(!transposeA || x.rank == 2, "matmul with transposeA needs a rank-2 left operand, got \(x.shape).")
        precondition(x.rank >= 2, "matmul needs a left operand of rank 2 or more, got \(x.shape).")
        let k = transposeA ? x.shape[0] : x.shape[x.rank - 1]
        let m = x.count / Swift.max(k, 1)
        let n = transposeB ? y.shape[0] : y.shape[1]
        let kB = transposeB ? y.shape[1] : y.shape[0]
        precondition(k == kB, "matmul inner sizes differ: \(x.shape) x \(y.shape) (transposes \(transposeA), \(transposeB)).")
        let outShape = transposeA ? [m, n] : Array(x.shape.dropLast()) + [n]
        let out = Tensor(shape: outShape) { c in
            Self.product(kernel, x.storage, y.storage, c.baseAddress!, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        }
        return record(out) { g, acc in
            if acc.needsGradient(a) {
                let ga: Tensor
                if !transposeA {
                    // dA[M, K] = dC[M, N] op(B)^T
                    ga = Tensor(shape: x.shape) { d in
                        Self.product(kernel, g.storage, y.storage, d.baseAddress!, m: m, n: k, k: n, transposeA: false, transposeB: !transposeB)
                    }
                } else {
                    // dA[K, M] = op(B)[K, N] dC^T
                    ga = Tensor(shape: x.shape) { d in
                        Self.product(kernel, y.storage, g.storage, d.baseAddress!, m: k, n: m, k: n, transposeA: transposeB, transposeB: true)
                    }
                }
                acc.add(ga, to: a)
            }
            if acc.needsGradient(b) {
                let gb: Tensor
                if !transposeB {
                    // dB[K, N] = op(A)^T dC
                    gb = Tensor(shape: y.shape) { d in
                        Self.product(kernel, x.storage, g.storage, d.baseAddress!, m: k, n: n, k: m, transposeA: !transposeA, transposeB: false)
                    }
                } else {
                    // dB[N, K] = dC^T op(A)
                    gb = Tensor(shape: y.shape) { d in
                        Self.product(kernel, g.storage, x.storage, d.baseAddress!, m: n, n: k, k: m, transposeA: true, transposeB: transposeA)
                    }
                }
                acc.add(gb, to: b)
            }
        }
    }

    /// x W + b as one op: x [..., K], W [K, N], b [N] -> [..., N]. The bias is added to the product's rows in place,
    /// which saves the broadcast add's pass and a tape node; the sum is (x W) + b, rounded
    /// exactly as matmul then add, so a row's result does not depend on how many rows share the GEMM.
    public func affine(_ x: Variable, _ weight: Variable, _ bias: Variable) -> Variable {
        let input = x.value, w = weight.value, kernel = products
        precondition(w.rank == 2 && input.rank >= 1 && input.shape[input.rank - 1] == w.shape[0],
                     "affine needs x [..., K] and W [K, N], got \(input.shape) and \(w.shape).")
        precondition(bias.shape == [w.shape[1]], "affine bias must be [\(w.shape[1])], got \(bias.shape).")
        let k = w.shape[0], n = w.shape[1], m = input.count / Swift.max(k, 1)
        let out = Tensor(shape: Array(input.shape.dropLast()) + [n]) { c in
            Self.product(kernel, input.storage, w.storage, c.baseAddress!, m: m, n: n, k: k, transposeA: false, transposeB: false)
            bias.value.storage.withUnsafeBufferPointer { b in
                for row in 0..<m { VectorMath.add(b.baseAddress!, into: c.baseAddress! + row * n, count: n) }
            }
        }
        return record(out) { g, acc in
            if acc.needsGradient(x) {
                // dx[M, K] = dC[M, N] W^T
                acc.add(Tensor(shape: input.shape) { d in
                    Self.product(kernel, g.storage, w.storage, d.baseAddress!, m: m, n: k, k: n, transposeA: false, transposeB: true)
                }, to: x)
            }
            if acc.needsGradient(weight) {
                // dW[K, N] = x^T dC
                acc.add(Tensor(shape: w.shape) { d in
                    Self.product(kernel, input.storage, g.storage, d.baseAddress!, m: k, n: n, k: m, transposeA: true, transposeB: false)
                }, to: weight)
            }
            // db[N] = sum over rows of dC, as the broadcast add's pullback sums it
            if acc.needsGradient(bias) { acc.add(Broadcast.reduce(g, to: bias.shape), to: bias) }
        }
    }

    /// Batched op(A[i]) op(B[i]) for A [B, M, K] and B [B, K, N] (or transposed per matrix).
    public func batchedMatmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        let x = a.value, y = b.value, kernel = products
        precondition(x.rank == 3 && y.rank == 3 && x.shape[0] == y.shape[0],
                     "batchedMatmul needs [B, M, K] and [B, K, N], got \(x.shape) and \(y.shape).")
        let batch = x.shape[0]
        let m = transposeA ? x.shape[2] : x.shape[1]
        let k = transposeA ? x.shape[1] : x.shape[2]
        let n = transposeB ? y.shape[1] : y.shape[2]
        precondition(k == (transposeB ? y.shape[2] : y.shape[1]),
                     "batchedMatmul inner sizes differ: \(x.shape) x \(y.shape).")
        let out = Tensor(shape: [batch, m, n]) { c in
            Self.batchedProduct(kernel, x.storage, y.storage, c.baseAddress!, batch: batch, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        }
        return record(out) { g, acc in
            if acc.needsGradient(a) {
                let ga = Tensor(shape: x.shape) { d in
                    if !transposeA {
                        Self.batchedProduct(kernel, g.storage, y.storage, d.baseAddress!, batch: batch, m: m, n: k, k: n, transposeA: false, transposeB: !transposeB)
                    } else {
                        Self.batchedProduct(kernel, y.storage, g.storage, d.baseAddress!, batch: batch, m: k, n: m, k: n, transposeA: transposeB, transposeB: true)
                    }
                }
                acc.add(ga, to: a)
            }
            if acc.needsGradient(b) {
                let gb = Tensor(shape: y.shape) { d in
                    if !transposeB {
                        Self.batchedProduct(kernel, x.storage, g.storage, d.baseAddress!, batch: batch, m: k, n: n, k: m, transposeA: !transposeA, transposeB: false)
                    } else {
                        Self.batchedProduct(kernel, g.storage, x.storage, d.baseAddress!, batch: batch, m: n, n: k, k: m, transposeA: true, transposeB: transposeA)
                    }
                }
                acc.add(gb, to: b)
            }
        }
    }

    @inline(__always)
    static func product(
        _ kernel: ProductKernel, _ a: [Float], _ b: [Float], _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool
    ) {
        if k == 0 {
            c.update(repeating: 0, count: m * n)
            return
        }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                MatrixKernels.multiply(ap.baseAddress!, bp.baseAddress!, c, m: m, n: n, k: k,
                                       transposeA: transposeA, transposeB: transposeB, accumulate: false, kernel: kernel)
            }
        }
    }

    @inline(__always)
    static func batchedProduct(
        _ kernel: ProductKernel, _ a: [Float], _ b: [Float], _ c: UnsafeMutablePointer<Float>,
        batch: Int, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool
    ) {
        if k == 0 {
            c.update(repeating: 0, count: batch * m * n)
            return
        }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                MatrixKernels.batchedMultiply(ap.baseAddress!, bp.baseAddress!, c, batch: batch, m: m, n: n, k: k,
                                              transposeA: transposeA, transposeB: transposeB, accumulate: false, kernel: kernel)
            }
        }
    }
}
