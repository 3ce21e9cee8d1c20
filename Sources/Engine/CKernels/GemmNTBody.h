// C = A·Bᵀ (+ C): the convolutions' weight gradients (dW = dY·colᵀ) and the linear layer's forward. Included by
// KernelBody.h after the small-matrix sgemm (it reuses that register block); the same VLEN, XB, vf and NAME.
//
// Both operands run contiguously along k, but the register block wants B's columns contiguous: each KC × NB panel
// of op(B) = Bᵀ is packed first, VLEN × VLEN squares at a time transposed in registers, and then reused by every
// MB-row block of A (A itself is read in place, as the plain sgemm reads it).

// Interleaves the low (ZIP_LO) or high (ZIP_HI) halves of two vectors: [x0, y0, x1, y1, …].
#if VLEN == 16
#define REEL_NT_ZIP_LO 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23
#define REEL_NT_ZIP_HI 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31
#elif VLEN == 8
#define REEL_NT_ZIP_LO 0, 8, 1, 9, 2, 10, 3, 11
#define REEL_NT_ZIP_HI 4, 12, 5, 13, 6, 14, 7, 15
#elif VLEN == 4
#define REEL_NT_ZIP_LO 0, 4, 1, 5
#define REEL_NT_ZIP_HI 2, 6, 3, 7
#else
#error "GemmNTBody.h: no interleave for this VLEN"
#endif

/// Transposes the VLEN × VLEN square held in r[0…VLEN) (one row per vector). Each pass zips rows i and i + VLEN/2
/// into rows 2i and 2i+1, which rotates the bits of an element's (row, column) index by one; log2(VLEN) passes
/// swap row and column.
static inline void NAME(nt_transpose)(vf *r) {
    for (int pass = 1; pass < VLEN; pass *= 2) {
        vf t[VLEN];
        for (int i = 0; i < VLEN / 2; i++) {
            t[2 * i] = __builtin_shufflevector(r[i], r[i + VLEN / 2], REEL_NT_ZIP_LO);
            t[2 * i + 1] = __builtin_shufflevector(r[i], r[i + VLEN / 2], REEL_NT_ZIP_HI);
        }
        for (int i = 0; i < VLEN; i++) r[i] = t[i];
    }
}
#undef REEL_NT_ZIP_LO
#undef REEL_NT_ZIP_HI

/// dst[k·NB + j] = b[j·ldb + k] for k < kc, j < cols; zero for cols ≤ j < NB (a ragged last panel).
static void NAME(nt_pack_b)(const float *b, long ldb, long cols, long kc, float *dst) {
    enum { NB = VLEN * XB };
    long j0 = 0;
    for (; j0 + VLEN <= cols; j0 += VLEN) {
        long k = 0;
        for (; k + VLEN <= kc; k += VLEN) {
            vf r[VLEN];
            for (int t = 0; t < VLEN; t++) r[t] = vload(b + (j0 + t) * ldb + k);
            NAME(nt_transpose)(r);
            for (int t = 0; t < VLEN; t++) vstore(dst + (k + t) * NB + j0, r[t]);
        }
        for (; k < kc; k++)
            for (int t = 0; t < VLEN; t++) dst[k * NB + j0 + t] = b[(j0 + t) * ldb + k];
    }
    if (j0 < NB) {
        for (long k = 0; k < kc; k++) {
            float *row = dst + k * NB;
            for (long j = j0; j < cols; j++) row[j] = b[j * ldb + k];
            for (long j = cols; j < NB; j++) row[j] = 0.0f;
        }
    }
}

static void NAME(sgemm_nt)(long M, long N, long K, const float *a, long lda, const float *b, long ldb, float beta,
                           float *c, long ldc) {
    enum { NB = VLEN * XB };
    float bpack[REEL_GEMM_KC * NB] __attribute__((aligned(64)));
    float apad[REEL_GEMM_MB * REEL_GEMM_KC];
    for (long k0 = 0; k0 < K; k0 += REEL_GEMM_KC) {
        const long kc = K - k0 < REEL_GEMM_KC ? K - k0 : REEL_GEMM_KC;
        const int accumulate = beta != 0.0f || k0 > 0;
        for (long n0 = 0; n0 < N; n0 += NB) {
            const long cols = N - n0 < NB ? N - n0 : NB;
            NAME(nt_pack_b)(b + n0 * ldb + k0, ldb, cols, kc, bpack);
            for (long m0 = 0; m0 < M; m0 += REEL_GEMM_MB) {
                const long rows = M - m0 < REEL_GEMM_MB ? M - m0 : REEL_GEMM_MB;
                const float *ap = a + m0 * lda + k0;
                long pams = lda, paks = 1;
                if (rows < REEL_GEMM_MB) {
                    for (long m = 0; m < REEL_GEMM_MB; m++)
                        for (long k = 0; k < kc; k++) apad[k * REEL_GEMM_MB + m] = m < rows ? ap[m * lda + k] : 0.0f;
                    ap = apad;
                    pams = 1;
                    paks = REEL_GEMM_MB;
                }
#if XB > 1
                if (cols > VLEN) {
                    NAME(gemm_block_2)(kc, ap, pams, paks, bpack, NB, c + m0 * ldc + n0, ldc, rows, cols, accumulate);
                    continue;
                }
#endif
                NAME(gemm_block_1)(kc, ap, pams, paks, bpack, NB, c + m0 * ldc + n0, ldc, rows, cols, accumulate);
            }
        }
    }
}
