import CKernels

/// How a matrix product is computed.
public enum ProductKernel: Sendable {
    /// BLAS for sizeable products, a SIMD loop for tiny ones: the fastest, but a row's last bits may depend on how
    /// many rows share the product (the switch between the two looks at m * n * k, and BLAS kernels block and
    /// special-case by m). For training, where only the model's quality matters.
    case fastest
    /// One fixed sequence of operations per output element, whatever the row count or the row's place: row i of C
    /// depends only on row i of op(A), on op(B) and on n and k. For answers (serving, batch recommendation,
    /// evaluation), so a history gets the same interests and scores alone as in any batch, on any machine's BLAS.
    case rowIndependent
}

/// Matrix products on raw row-major buffers: BLAS for anything sizeable, a SIMD loop for
/// the tiny per-user matrices of capsule routing where a BLAS call costs more than the math,
/// and a register-blocked kernel of our own where a row's result must not depend on the batch.
public enum MatrixKernels {
    /// Below this many multiply-adds per matrix a BLAS call's fixed cost dominates.
    static let smallProductLimit = 16 * 1024

    /// C[m, n] (+)= op(A) op(B) for one matrix; op transposes when asked.
    @inline(__always)
    public static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, accumulate: Bool, kernel: ProductKernel = .fastest
    ) {
        if kernel == .rowIndependent {
            rowIndependentMultiply(a, b, c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, accumulate: accumulate)
            return
        }
        if m * n * k >= smallProductLimit {
            BLAS.sgemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                a: a, lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n,
                beta: accumulate ? 1 : 0, c: c, ldc: n)
            return
        }
        if !accumulate { c.update(repeating: 0, count: m * n) }
        switch (transposeA, transposeB) {
        // Matrix-vector and outer products (a query against a sequence, attention-weighted sums and their
        // gradients) take the loop whose inner length is not 1, so the SIMD loops run over k, m or n.
        case (false, false) where n == 1:
            // C[i] += A[i, :] . B.
            for i in 0..<m { c[i] += VectorMath.dot(a + i * k, b, count: k) }
        case (false, false):
            // C[i, :] += A[i, p] * B[p, :]: contiguous rows of B and C.
            for i in 0..<m {
                for p in 0..<k { VectorMath.axpy(a[i * k + p], b + p * n, c + i * n, count: n) }
            }
        case (false, true) where k == 1:
            // The outer product C[i, :] += A[i] * B.
            for i in 0..<m { VectorMath.axpy(a[i], b, c + i * n, count: n) }
        case (false, true):
            // C[i, j] = A[i, :] . B[j, :]: both contiguous.
            for i in 0..<m {
                for j in 0..<n { c[i * n + j] += VectorMath.dot(a + i * k, b + j * k, count: k) }
            }
        case (true, false) where n == 1:
            // A is stored [k, m]: C += B[p] * A[p, :].
            for p in 0..<k { VectorMath.axpy(b[p], a + p * m, c, count: m) }
        case (true, false):
            // A is stored [k, m]: C[i, :] += A[p, i] * B[p, :].
            for p in 0..<k {
                for i in 0..<m { VectorMath.axpy(a[p * m + i], b + p * n, c + i * n, count: n) }
            }
        case (true, true):
            for i in 0..<m {
                for j in 0..<n {
                    var sum: Float = 0
                    for p in 0..<k { sum += a[p * m + i] * b[j * k + p] }
                    c[i * n + j] += sum
                }
            }
        }
    }

    /// C[batch] (+)= op(A[batch]) op(B[batch]) for `batch` independent products, on the calling thread.
    public static func batchedMultiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        batch: Int, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, accumulate: Bool,
        kernel: ProductKernel = .fastest
    ) {
        let aStride = m * k
        let bStride = k * n
        let cStride = m * n
        for index in 0..<batch {
            multiply(
                a + index * aStride, b + index * bStride, c + index * cStride,
                m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                accumulate: accumulate, kernel: kernel)
        }
    }

    // MARK: - Row-independent products

    /// `multiply` with `ProductKernel.rowIndependent`: every element of C is one fixed sequence of fused
    /// multiply-adds (or, with B transposed, one fixed dot product) of its row and column, so it comes out the same
    /// bits whatever m is and wherever the row sits. No BLAS: its blocking and edge kernels vary with m.
    /// `instructionSet` (default: the widest the CPU has) only changes the speed, never a bit of the result.
    public static func rowIndependentMultiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, accumulate: Bool, instructionSet: mind_isa? = nil
    ) {
        guard !transposeB else {
            // C[i, j] (+)= op(A)[i, :] . B[j, :]: each dot is a function of its two rows and k alone.
            if !accumulate { c.update(repeating: 0, count: m * n) }
            for i in 0..<m {
                for j in 0..<n {
                    if !transposeA {
                        c[i * n + j] += VectorMath.dot(a + i * k, b + j * k, count: k)
                    } else {
                        var sum: Float = 0
                        for p in 0..<k { sum.addProduct(a[p * m + i], b[j * k + p]) }
                        c[i * n + j] += sum
                    }
                }
            }
            return
        }
        // A(i, p) sits at a[i * rowStride + p * depthStride]: [m, k] row-major, or [k, m] when transposed.
        rowsTimesMatrix(a, rowStride: transposeA ? 1 : k, depthStride: transposeA ? m : 1, b, c, m: m, n: n, k: k, accumulate: accumulate,
                        instructionSet: instructionSet)
    }

    /// The widest instruction set `rowIndependentMultiply` may use on this CPU (asked once: CPUID traps in a VM).
    public static let widestInstructionSet = mind_best_isa()

    /// C[i, j] (+)= sum over p = 0..<k, in that order, of A(i, p) B[p, j], one fused multiply-add per step starting
    /// from C (or 0): `mind_rows_times_matrix` in CKernels, on `instructionSet` (lowered to what the CPU has). Every
    /// instruction set gives the same bits.
    static func rowsTimesMatrix(
        _ a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, accumulate: Bool, instructionSet: mind_isa? = nil
    ) {
        let widest = widestInstructionSet
        let chosen = instructionSet.map { $0.rawValue < widest.rawValue ? $0 : widest } ?? widest
        mind_rows_times_matrix(a, rowStride, depthStride, b, c, m, n, k, accumulate ? 1 : 0, chosen)
    }
}
