import CBLAS

/// Thin, shape-checked wrappers over OpenBLAS, the one place the rest of the code touches CBLAS.
public enum BLAS {
    /// The OpenBLAS kernel family in use (e.g. "Haswell", "SkylakeX", "Zen").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// How many threads OpenBLAS may use for one call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets how many threads OpenBLAS may use for one call. OpenBLAS keeps this process-wide, so it is set
    /// once at start-up (the `mind` executable sets 1: its callers parallelise over shards, users and item
    /// blocks with their own thread budgets) and never changed while work runs.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    /// C[m, n] = alpha * op(A) op(B) + beta * C, all row-major.
    @inline(__always)
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
