#ifndef MIND_CKERNELS_H
#define MIND_CKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets the row-independent product can run on; every one gives the same bits.
typedef enum {
    MIND_ISA_SCALAR = 0,
    MIND_ISA_AVX2 = 1,
    MIND_ISA_AVX512 = 2,
} mind_isa;

/// The widest instruction set this CPU (and its operating system) supports, of those above. Runs CPUID (a trap in a
/// virtual machine): ask once and keep the answer.
mind_isa mind_best_isa(void);

/// C[i, j] (+)= sum over p = 0..<k, in that order, of A(i, p) * B[p * n + j], as one fused multiply-add per step
/// starting from C[i * n + j] (accumulate != 0) or 0. A(i, p) = a[i * row_stride + p * depth_stride]; B is [k, n]
/// and C [m, n], row-major. Each element is that chain of fused multiply-adds whatever m is, wherever its row sits
/// and on whichever instruction set runs it, so a row's result is the same bits alone or in any batch, on any
/// x86-64 CPU. `isa` must be one `mind_best_isa()` allows.
void mind_rows_times_matrix(const float *a, long row_stride, long depth_stride, const float *b, float *c,
                            long m, long n, long k, int accumulate, mind_isa isa);

#ifdef __cplusplus
}
#endif

#endif
