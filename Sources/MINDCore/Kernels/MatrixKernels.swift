/// Matrix products on raw row-major buffers: BLAS for anything sizeable, a SIMD loop for
/// the tiny per-user matrices of capsule routing where a BLAS call costs more than the math.
public enum MatrixKernels {
    /// Below this many multiply-adds per matrix a BLAS call's fixed cost dominates.
    static let smallProductLimit = 16 * 1024

    /// C[m, n] (+)= op(A) op(B) for one matrix; op transposes when asked.
    @inline(__always)
    public static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, accumulate: Bool
    ) {
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
        batch: Int, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, accumulate: Bool
    ) {
        let aStride = m * k
        let bStride = k * n
        let cStride = m * n
        for index in 0..<batch {
            multiply(
                a + index * aStride, b + index * bStride, c + index * cStride,
                m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                accumulate: accumulate)
        }
    }
}
