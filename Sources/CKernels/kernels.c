// The row-independent product behind `MatrixKernels.rowIndependentMultiply`, in C so that it can carry an AVX-512
// path beside the AVX2 one (Swift compiles the package for haswell and has no per-function target attributes).
// Every path computes each element as the same chain of fused multiply-adds in depth order; only how many
// elements advance together differs. No -ffast-math: nothing may be reassociated.
#include "ckernels.h"

#include <cpuid.h>
#include <immintrin.h>
#include <math.h>

typedef struct {
    const float *a;
    long row_stride, depth_stride;
    const float *b;
    float *c;
    long n, k;
    int accumulate;
} product;

static inline float a_at(const product *p, long row, long depth) {
    return p->a[row * p->row_stride + depth * p->depth_stride];
}

// One element, one fused step at a time: the reference every vector path matches.
static void scalar_columns(const product *p, long row, long first_column, long end_column) {
    for (long column = first_column; column < end_column; column++) {
        float sum = p->accumulate ? p->c[row * p->n + column] : 0.0f;
        for (long depth = 0; depth < p->k; depth++) sum = fmaf(a_at(p, row, depth), p->b[depth * p->n + column], sum);
        p->c[row * p->n + column] = sum;
    }
}

// Tiles and strips are always inlined so that each call site's constant row and register counts unroll the loops
// and keep every accumulator in a register (left as parameters, clang spilled them to the stack each step).

// MARK: AVX-512: columns in strips of 32 (two registers), 16, then a masked 16; rows 8 at a time, then 4, then one.

__attribute__((target("avx512f"), always_inline))
static inline void tile512(const product *p, long row, long column, const int rows, const int vectors, __mmask16 last) {
    __m512 sum[8][2];
    for (int r = 0; r < rows; r++) {
        for (int v = 0; v < vectors; v++) {
            __mmask16 mask = v == vectors - 1 ? last : 0xFFFF;
            sum[r][v] = p->accumulate ? _mm512_maskz_loadu_ps(mask, p->c + (row + r) * p->n + column + 16 * v)
                                      : _mm512_setzero_ps();
        }
    }
    for (long depth = 0; depth < p->k; depth++) {
        __m512 b[2];
        for (int v = 0; v < vectors; v++) {
            __mmask16 mask = v == vectors - 1 ? last : 0xFFFF;
            b[v] = _mm512_maskz_loadu_ps(mask, p->b + depth * p->n + column + 16 * v);
        }
        for (int r = 0; r < rows; r++) {
            __m512 a = _mm512_set1_ps(a_at(p, row + r, depth));
            for (int v = 0; v < vectors; v++) sum[r][v] = _mm512_fmadd_ps(a, b[v], sum[r][v]);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int v = 0; v < vectors; v++) {
            __mmask16 mask = v == vectors - 1 ? last : 0xFFFF;
            _mm512_mask_storeu_ps(p->c + (row + r) * p->n + column + 16 * v, mask, sum[r][v]);
        }
    }
}

__attribute__((target("avx512f"), always_inline))
static inline void strip512(const product *p, long m, long column, const int vectors, __mmask16 last) {
    long row = 0;
    for (; row + 8 <= m; row += 8) tile512(p, row, column, 8, vectors, last);
    for (; row + 4 <= m; row += 4) tile512(p, row, column, 4, vectors, last);
    for (; row < m; row++) tile512(p, row, column, 1, vectors, last);
}

__attribute__((target("avx512f")))
static void rows512(const product *p, long m) {
    long column = 0;
    for (; column + 32 <= p->n; column += 32) strip512(p, m, column, 2, 0xFFFF);
    for (; column + 16 <= p->n; column += 16) strip512(p, m, column, 1, 0xFFFF);
    if (column < p->n) strip512(p, m, column, 1, (__mmask16)((1u << (p->n - column)) - 1));
}

// MARK: AVX2 + FMA: columns in strips of 16 (two registers), then 8, then one at a time; rows 6 at a time, then 4, then one.

__attribute__((target("avx2,fma"), always_inline))
static inline void tile256(const product *p, long row, long column, const int rows, const int vectors) {
    __m256 sum[6][2];
    for (int r = 0; r < rows; r++) {
        for (int v = 0; v < vectors; v++) {
            sum[r][v] = p->accumulate ? _mm256_loadu_ps(p->c + (row + r) * p->n + column + 8 * v) : _mm256_setzero_ps();
        }
    }
    for (long depth = 0; depth < p->k; depth++) {
        __m256 b[2];
        for (int v = 0; v < vectors; v++) b[v] = _mm256_loadu_ps(p->b + depth * p->n + column + 8 * v);
        for (int r = 0; r < rows; r++) {
            __m256 a = _mm256_set1_ps(a_at(p, row + r, depth));
            for (int v = 0; v < vectors; v++) sum[r][v] = _mm256_fmadd_ps(a, b[v], sum[r][v]);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int v = 0; v < vectors; v++) _mm256_storeu_ps(p->c + (row + r) * p->n + column + 8 * v, sum[r][v]);
    }
}

__attribute__((target("avx2,fma"), always_inline))
static inline void strip256(const product *p, long m, long column, const int vectors) {
    long row = 0;
    for (; row + 6 <= m; row += 6) tile256(p, row, column, 6, vectors);
    for (; row + 4 <= m; row += 4) tile256(p, row, column, 4, vectors);
    for (; row < m; row++) tile256(p, row, column, 1, vectors);
}

__attribute__((target("avx2,fma")))
static void rows256(const product *p, long m) {
    long column = 0;
    for (; column + 16 <= p->n; column += 16) strip256(p, m, column, 2);
    for (; column + 8 <= p->n; column += 8) strip256(p, m, column, 1);
    for (long row = 0; row < m; row++) scalar_columns(p, row, column, p->n);
}

// MARK: Dispatch

mind_isa mind_best_isa(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return MIND_ISA_SCALAR;
    int fma = (ecx >> 12) & 1, osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
    if (!(fma && osxsave && avx)) return MIND_ISA_SCALAR;
    unsigned xcr0_low, xcr0_high;
    __asm__("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 0x6) != 0x6) return MIND_ISA_SCALAR;  // the OS saves XMM and YMM state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return MIND_ISA_SCALAR;
    int avx2 = (ebx >> 5) & 1, avx512f = (ebx >> 16) & 1;
    if (!avx2) return MIND_ISA_SCALAR;
    if (avx512f && (xcr0_low & 0xE0) == 0xE0) return MIND_ISA_AVX512;  // and opmask, ZMM state
    return MIND_ISA_AVX2;
}

void mind_rows_times_matrix(const float *a, long row_stride, long depth_stride, const float *b, float *c,
                            long m, long n, long k, int accumulate, mind_isa isa) {
    product p = {a, row_stride, depth_stride, b, c, n, k, accumulate};
    switch (isa) {
    case MIND_ISA_AVX512: rows512(&p, m); break;
    case MIND_ISA_AVX2: rows256(&p, m); break;
    default:
        for (long row = 0; row < m; row++) scalar_columns(&p, row, 0, n);
    }
}
