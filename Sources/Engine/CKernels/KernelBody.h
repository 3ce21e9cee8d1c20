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

static void NAME(relu)(const float *x, float *y, long n) {
    long i = 0;
    for (; i + VLEN <= n; i += VLEN) vstore(y + i, vmax0(vload(x + i)));
    for (; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
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

static void NAME(conv_direct)(const float *x, long xstride, long C, long H, long W, const float *packed, long O, long KH,
                              long KW, long s, long pad, const float *bias, int relu, float *y, long ystride,
                              float *scratch) {
    const long oh = reel_conv_out(H, KH, s, pad), ow = reel_conv_out(W, KW, s, pad);
    const long PH = reel_conv_phase_rows(H, KH, s, pad), PW = reel_conv_phase_cols(W, KW, s, pad);
    const long plane = PH * PW;
    // Split the zero-padded input into stride×stride phase planes: phase (py, px) holds padded rows py, py+s, … and
    // columns px, px+s, …, so every tap reads contiguous columns whatever the stride.
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

// The Winograd transforms are in their own body (the same VLEN, vf and NAME).
#include "WinogradBody.h"

const reel_kernel_table NAME(reel_kernels) = {
    .bias_act = NAME(bias_act),
    .relu = NAME(relu),
    .conv_direct = NAME(conv_direct),
    .wino_input = NAME(wino_input),
    .wino_output = NAME(wino_output),
    .wino_output_gradient = NAME(wino_output_gradient),
    .wino_input_gradient = NAME(wino_input_gradient),
};
