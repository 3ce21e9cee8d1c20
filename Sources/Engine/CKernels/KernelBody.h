// Kernel bodies, written once with clang's vector extensions and compiled per ISA: the including file defines
// VLEN (floats per vector), XB (vectors of output columns per register block), SUFFIX and the target attribute.
// Plain C elsewhere: the compiler vectorises the simple loops for the target it is given.
#include <string.h>
#include "KernelTable.h"

typedef float vf __attribute__((ext_vector_type(VLEN)));

static inline vf vload(const float *p) { vf v; memcpy(&v, p, sizeof v); return v; }
static inline void vstore(float *p, vf v) { memcpy(p, &v, sizeof v); }
/// Stores the first n lanes.
static inline void vstore_n(float *p, vf v, long n) {
    if (n >= VLEN) { vstore(p, v); return; }
    float t[VLEN];
    memcpy(t, &v, sizeof v);
    memcpy(p, t, (size_t)n * sizeof(float));
}
/// The sum of the lanes, in a fixed (pairwise) order.
static inline float vsum(vf v) {
    float t[VLEN];
    memcpy(t, &v, sizeof v);
    for (int w = VLEN / 2; w > 0; w /= 2) for (int l = 0; l < w; l++) t[l] += t[l + w];
    return t[0];
}
static inline vf vmax0(vf v) { vf z = 0; return v > z ? v : z; }

#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define NAME(f) CAT(f, SUFFIX)

static void NAME(bias_act)(float *y, long rows, long cols, long ld, const float *bias, const float *residual, long ldr,
                           int relu) {
    for (long r = 0; r < rows; r++) {
        float *row = y + r * ld;
        const float *res = residual ? residual + r * ldr : NULL;
        vf b = bias ? bias[r] : 0.0f;
        long i = 0;
        for (; i + VLEN <= cols; i += VLEN) {
            vf v = vload(row + i) + b;
            if (res) v += vload(res + i);
            vstore(row + i, relu ? vmax0(v) : v);
        }
        for (; i < cols; i++) {
            float v = row[i] + (bias ? bias[r] : 0.0f);
            if (res) v += res[i];
            row[i] = relu && v < 0 ? 0 : v;
        }
    }
}

/// One register block of the direct convolution: REEL_CONV_OB output channels × NX vectors of output columns at
/// output row `oy`, columns x0…, summed over every input channel and tap, then bias and ReLU, stored (the last
/// vector only up to column `ow`).
#define CONV_BLOCK(NX)                                                                                            \
static inline void NAME(conv_block_##NX)(const float *phases, long C, long KH, long KW, long s, long PH, long PW,      \
                                         const float *wb, long oy, long x0, long ow, long nout, const float *bias,    \
                                         int relu, float *y, long ystride, long oh) {                                 \
    vf acc[REEL_CONV_OB][NX];                                                                                         \
    for (int o = 0; o < REEL_CONV_OB; o++) for (int v = 0; v < NX; v++) acc[o][v] = 0;                               \
    const long plane = PH * PW;                                                                                       \
    for (long c = 0; c < C; c++) {                                                                                    \
        for (long ky = 0; ky < KH; ky++) {                                                                            \
            const float *rowbase = phases + ((c * s + ky % s) * s) * plane + (oy + ky / s) * PW + x0;                 \
            for (long kx = 0; kx < KW; kx++) {                                                                        \
                const float *in = rowbase + (kx % s) * plane + kx / s;                                                \
                vf xv[NX];                                                                                            \
                for (int v = 0; v < NX; v++) xv[v] = vload(in + v * VLEN);                                           \
                const float *w = wb + ((c * KH + ky) * KW + kx) * REEL_CONV_OB;                                       \
                for (int o = 0; o < REEL_CONV_OB; o++) {                                                              \
                    vf wv = w[o];                                                                                     \
                    for (int v = 0; v < NX; v++) acc[o][v] += xv[v] * wv;                                             \
                }                                                                                                     \
            }                                                                                                         \
        }                                                                                                             \
    }                                                                                                                 \
    for (int o = 0; o < nout; o++) {                                                                                  \
        vf b = bias ? bias[o] : 0.0f;                                                                                 \
        float *out = y + o * ystride + oy * ow + x0;                                                                  \
        for (int v = 0; v < NX; v++) {                                                                                \
            vf r = acc[o][v] + b;                                                                                     \
            if (relu) r = vmax0(r);                                                                                   \
            vstore_n(out + v * VLEN, r, ow - x0 - v * VLEN);                                                          \
        }                                                                                                             \
    }                                                                                                                 \
    (void)oh;                                                                                                         \
}
CONV_BLOCK(1)
#if XB > 1
CONV_BLOCK(2)
#endif

/// Splits the zero-padded input into stride×stride phase planes: phase (py, px) holds padded rows py, py+s, … and
/// columns px, px+s, …, so every tap of a strided convolution reads contiguous columns.
static void NAME(conv_phases)(const float *x, long xstride, long C, long H, long W, long s, long pad, long PH, long PW,
                              float *scratch) {
    const long plane = PH * PW;
    memset(scratch, 0, (size_t)(C * s * s * plane) * sizeof(float));
    for (long c = 0; c < C; c++) {
        const float *src = x + c * xstride;
        for (long iy = 0; iy < H; iy++) {
            long py = iy + pad;
            if (py / s >= PH) break;       // rows below the last window (never read)
            for (long px = 0; px < s; px++) {
                // Padded columns px, px+s, … → input columns starting at the first ≥ 0.
                float *dst = scratch + ((c * s + py % s) * s + px) * plane + (py / s) * PW;
                long first = px - pad;            // input column of phase column 0
                long j0 = 0;
                while (first + j0 * s < 0) j0++;
                for (long j = j0; j < PW; j++) {
                    long ix = first + j * s;
                    if (ix >= W) break;
                    dst[j] = src[iy * W + ix];
                }
            }
        }
    }
}

static void NAME(conv_direct)(const float *x, long xstride, long C, long H, long W, const float *packed, long O, long KH,
                              long KW, long s, long pad, const float *bias, int relu, float *y, long ystride,
                              float *scratch) {
    const long oh = reel_conv_out(H, KH, s, pad), ow = reel_conv_out(W, KW, s, pad);
    const long PH = reel_conv_phase_rows(H, KH, s, pad), PW = reel_conv_phase_cols(W, KW, s, pad);
    const long plane = PH * PW;
    NAME(conv_phases)(x, xstride, C, H, W, s, pad, PH, PW, scratch);
    const long blocks = (O + REEL_CONV_OB - 1) / REEL_CONV_OB;
    const long wblock = C * KH * KW * REEL_CONV_OB;
    for (long b = 0; b < blocks; b++) {
        const long nout = O - b * REEL_CONV_OB < REEL_CONV_OB ? O - b * REEL_CONV_OB : REEL_CONV_OB;
        const float *bb = bias ? bias + b * REEL_CONV_OB : NULL;
        float *yb = y + b * REEL_CONV_OB * ystride;
        for (long oy = 0; oy < oh; oy++) {
            long x0 = 0;
#if XB > 1
            for (; x0 + VLEN < ow; x0 += 2 * VLEN)
                NAME(conv_block_2)(scratch, C, KH, KW, s, PH, PW, packed + b * wblock, oy, x0, ow, nout, bb, relu, yb,
                                   ystride, oh);
#endif
            for (; x0 < ow; x0 += VLEN)
                NAME(conv_block_1)(scratch, C, KH, KW, s, PH, PW, packed + b * wblock, oy, x0, ow, nout, bb, relu, yb,
                                   ystride, oh);
        }
    }
}


/// dw[o][c][ky][kx] += Σ over one plane of dy[o][oy][ox] · x_padded[c][oy·s + ky][ox·s + kx] (PyTorch's weight
/// layout): 4 output channels × 4 taps of vector accumulators over the output plane, then one horizontal sum each.
/// scratch: `reel_conv_dw_scratch_floats` floats (phase planes, then dy rows zero-padded to whole vectors).
static void NAME(conv_direct_dw)(const float *x, long xstride, long C, long H, long W, const float *dy, long dystride,
                                 long O, long KH, long KW, long s, long pad, float *dw, float *scratch) {
    const long oh = reel_conv_out(H, KH, s, pad), ow = reel_conv_out(W, KW, s, pad);
    const long PH = reel_conv_phase_rows(H, KH, s, pad), PW = reel_conv_phase_cols(W, KW, s, pad);
    _Static_assert(REEL_CONV_DW_VMAX % VLEN == 0, "dy rows in the scratch are padded to REEL_CONV_DW_VMAX floats");
    const long plane = PH * PW, owr = (ow + VLEN - 1) / VLEN * VLEN, taps = C * KH * KW;
    NAME(conv_phases)(x, xstride, C, H, W, s, pad, PH, PW, scratch);
    float *dyp = scratch + C * s * s * plane;
    for (long o = 0; o < O; o++)
        for (long r = 0; r < oh; r++) {
            float *dst = dyp + (o * oh + r) * owr;
            memcpy(dst, dy + o * dystride + r * ow, (size_t)ow * sizeof(float));
            memset(dst + ow, 0, (size_t)(owr - ow) * sizeof(float));
        }
    for (long o0 = 0; o0 < O; o0 += 4) {
        const long no = O - o0 < 4 ? O - o0 : 4;
        const float *dp[4];
        for (int i = 0; i < 4; i++) dp[i] = dyp + (o0 + (i < no ? i : 0)) * oh * owr;
        for (long t0 = 0; t0 < taps; t0 += 4) {
            const long nt = taps - t0 < 4 ? taps - t0 : 4;
            const float *tp[4];
            for (int j = 0; j < 4; j++) {
                const long t = t0 + (j < nt ? j : 0), c = t / (KH * KW), ky = t / KW % KH, kx = t % KW;
                tp[j] = scratch + ((c * s + ky % s) * s + kx % s) * plane + (ky / s) * PW + kx / s;
            }
            vf acc[4][4];
            for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) acc[i][j] = 0;
            for (long r = 0; r < oh; r++) {
                for (long xv = 0; xv < owr; xv += VLEN) {
                    vf d[4], in[4];
                    for (int i = 0; i < 4; i++) d[i] = vload(dp[i] + r * owr + xv);
                    for (int j = 0; j < 4; j++) in[j] = vload(tp[j] + r * PW + xv);
                    for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) acc[i][j] += d[i] * in[j];
                }
            }
            for (long i = 0; i < no; i++)
                for (long j = 0; j < nt; j++) dw[(o0 + i) * taps + t0 + j] += vsum(acc[i][j]);
        }
    }
}

// MARK: Small-matrix sgemm

/// C block += A block · B panel: REEL_GEMM_MB rows × NX vectors, over `kc` products. A's element (m, k) is at
/// a[m·ams + k·aks] (row-major A: ams = lda, aks = 1; transposed A: ams = 1, aks = lda); B's rows are contiguous.
/// `rows` rows and `cols` columns are stored (the rest of the block is padding); `accumulate` adds to C.
#define GEMM_BLOCK(NX)                                                                                            \
static inline void NAME(gemm_block_##NX)(long kc, const float *a, long ams, long aks, const float *b, long ldb,      \
                                         float *c, long ldc, long rows, long cols, int accumulate) {              \
    vf acc[REEL_GEMM_MB][NX];                                                                                     \
    for (int m = 0; m < REEL_GEMM_MB; m++) for (int v = 0; v < NX; v++) acc[m][v] = 0;                          \
    for (long k = 0; k < kc; k++) {                                                                               \
        vf bv[NX];                                                                                                \
        for (int v = 0; v < NX; v++) bv[v] = vload(b + k * ldb + v * VLEN);                                       \
        const float *ak = a + k * aks;                                                                            \
        for (int m = 0; m < REEL_GEMM_MB; m++) {                                                                  \
            vf av = ak[m * ams];                                                                                  \
            for (int v = 0; v < NX; v++) acc[m][v] += av * bv[v];                                                 \
        }                                                                                                         \
    }                                                                                                             \
    for (long m = 0; m < rows; m++) {                                                                             \
        float *cm = c + m * ldc;                                                                                  \
        for (int v = 0; v < NX; v++) {                                                                            \
            long n = cols - v * VLEN;                                                                             \
            if (n <= 0) break;                                                                                    \
            if (n >= VLEN) {                                                                                      \
                vstore(cm + v * VLEN, accumulate ? vload(cm + v * VLEN) + acc[m][v] : acc[m][v]);                 \
            } else {                                                                                              \
                float t[VLEN];                                                                                    \
                memcpy(t, &acc[m][v], sizeof t);                                                                  \
                for (long j = 0; j < n; j++) cm[v * VLEN + j] = accumulate ? cm[v * VLEN + j] + t[j] : t[j];      \
            }                                                                                                     \
        }                                                                                                         \
    }                                                                                                             \
}
GEMM_BLOCK(1)
#if XB > 1
GEMM_BLOCK(2)
#endif

static void NAME(sgemm)(long M, long N, long K, const float *a, long ams, long aks, const float *b, long ldb,
                        float beta, float *c, long ldc) {
    enum { NB = VLEN * XB };
    // Ragged panels go through zero-padded copies, so the register blocks never read past A's or B's end.
    float bpad[REEL_GEMM_KC * NB];
    float apad[REEL_GEMM_MB * REEL_GEMM_KC];
    for (long k0 = 0; k0 < K; k0 += REEL_GEMM_KC) {
        const long kc = K - k0 < REEL_GEMM_KC ? K - k0 : REEL_GEMM_KC;
        const int accumulate = beta != 0.0f || k0 > 0;
        for (long n0 = 0; n0 < N; n0 += NB) {
            const long cols = N - n0 < NB ? N - n0 : NB;
            const float *bp = b + k0 * ldb + n0;
            long bld = ldb;
            if (cols < NB) {
                for (long k = 0; k < kc; k++) {
                    memcpy(bpad + k * NB, bp + k * ldb, (size_t)cols * sizeof(float));
                    memset(bpad + k * NB + cols, 0, (size_t)(NB - cols) * sizeof(float));
                }
                bp = bpad;
                bld = NB;
            }
            for (long m0 = 0; m0 < M; m0 += REEL_GEMM_MB) {
                const long rows = M - m0 < REEL_GEMM_MB ? M - m0 : REEL_GEMM_MB;
                const float *ap = a + m0 * ams + k0 * aks;
                long pams = ams, paks = aks;
                if (rows < REEL_GEMM_MB) {
                    for (long m = 0; m < REEL_GEMM_MB; m++)
                        for (long k = 0; k < kc; k++) apad[k * REEL_GEMM_MB + m] = m < rows ? ap[m * ams + k * aks] : 0.0f;
                    ap = apad;
                    pams = 1;
                    paks = REEL_GEMM_MB;
                }
#if XB > 1
                if (cols > VLEN) {
                    NAME(gemm_block_2)(kc, ap, pams, paks, bp, bld, c + m0 * ldc + n0, ldc, rows, cols, accumulate);
                    continue;
                }
#endif
                NAME(gemm_block_1)(kc, ap, pams, paks, bp, bld, c + m0 * ldc + n0, ldc, rows, cols, accumulate);
            }
        }
    }
}

// The data pipeline's kernels, defined in PipelineBody.h (included after this file).
static void NAME(bilinear_h)(const unsigned char *src, long readable, const int *ofs, const short *wlo,
                             const short *whi, const void *plan, long d, long n, short *out);
static void NAME(bilinear_v)(const short *r0, int v0, const short *r1, int v1, unsigned char *dst, long n);
static void NAME(u8_to_planes)(const unsigned char *src, long pixels, long channels, const float *table,
                               reel_pixel_formula formula, const double *coef, int swap, float *dst, long plane_stride);
// The Winograd transforms are in their own body (the same VLEN, vf and NAME).
#include "WinogradBody.h"
// The channel-wise 3-D convolution: its own body and table (DepthwiseBody.h).
#include "DepthwiseBody.h"
// C = A·Bᵀ, on the small-matrix sgemm's register block.
#include "GemmNTBody.h"

const reel_kernel_table NAME(reel_kernels) = {
    .bias_act = NAME(bias_act),
    .conv_direct = NAME(conv_direct),
    .conv_direct_dw = NAME(conv_direct_dw),
    .sgemm = NAME(sgemm),
    .bilinear_h = NAME(bilinear_h),
    .bilinear_v = NAME(bilinear_v),
    .u8_to_planes = NAME(u8_to_planes),
    .wino_input = NAME(wino_input),
    .wino_output = NAME(wino_output),
    .wino_output_gradient = NAME(wino_output_gradient),
    .wino_input_gradient = NAME(wino_input_gradient),
    .sgemm_nt = NAME(sgemm_nt),
    .wino4_input = NAME(wino4_input),
    .wino4_output = NAME(wino4_output),
    .wino4_output_gradient = NAME(wino4_output_gradient),
    .wino4_input_gradient = NAME(wino4_input_gradient),
};
