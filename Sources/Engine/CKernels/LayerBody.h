// The layer kernels of include/ReelLayerKernels.h, written once and compiled per ISA after KernelBody.h (which
// defines VLEN, vf, vload, vstore, vstore_n and NAME). Plain loops where the compiler vectorises them for the target
// it is given; clang vector types where it does not (deinterleaving, masked maxima).
#include <string.h>
#include "LayerTable.h"

// Each value is rounded as written (no FMA contraction): the same bits under every ISA and as the Swift loops.
#pragma STDC FP_CONTRACT OFF

#include "Im2colBody.h"

// MARK: Max pooling, several output rows at a time

typedef int vi __attribute__((ext_vector_type(VLEN)));

/// Output rows per pass of `maxpool2d_rows`: independent compare chains the CPU overlaps.
#define MP_ROWS 4

/// One pass: MP_ROWS output rows (the first `nr` real) × one vector of outputs from xo. Same semantics as
/// the definition (MaxPoolTests): taps in window order, strict >, the first valid tap always taken, padding never.
static inline __attribute__((always_inline)) void NAME(mp_pass)(const float *split, long pw, long margin, long H,
                                                                long W, long KH, long KW, long SH, long SW, long PH,
                                                                long PW, long OW, long yo0, long nr, long xo, float *y,
                                                                int *argmax, const int with_index) {
    vi lane;
    for (int l = 0; l < VLEN; l++) lane[l] = l;
    const vi xi = (int)xo + lane, step_idx = lane * (int)SW;
    vf b[MP_ROWS];
    vi a[MP_ROWS];
    for (int r = 0; r < MP_ROWS; r++) { b[r] = -__builtin_inff(); a[r] = 0; }
    for (long ky = 0; ky < KH; ky++) {
        for (long kw = 0; kw < KW; kw++) {
            const long x0 = kw - PW;
            long lo = (-x0 + SW - 1) / SW; if (lo < 0) lo = 0;
            const long hi = (W - x0 + SW - 1) / SW;
            const long ph = ((x0 % SW) + SW) % SW, shift = (x0 - ph) / SW;
            const vi valid = (xi >= (int)lo) & (xi < (int)hi);
            for (int r = 0; r < MP_ROWS; r++) {
                if (r >= nr) break;
                const long yi = (yo0 + r) * SH - PH + ky;
                if (yi < 0 || yi >= H) continue;
                const vf v = vload(split + (yi * SW + ph) * pw + margin + shift + xo);
                // a: the index + 1 with indices, else a "seen" mask (−1 once a valid tap was taken).
                const vi take = ((v > b[r]) | (a[r] == 0)) & valid;
                b[r] = take ? v : b[r];
                if (with_index) a[r] = take ? ((int)(yi * W + x0 + SW * xo + 1)) + step_idx : a[r];
                else a[r] |= valid;
            }
        }
    }
    const long n = OW - xo < VLEN ? OW - xo : VLEN;
    for (int r = 0; r < MP_ROWS; r++) {
        if (r >= nr) break;
        vstore_n(y + (yo0 + r) * OW + xo, b[r], n);
        if (with_index) {
            int t[VLEN];
            vi idx = a[r] - 1;
            memcpy(t, &idx, sizeof idx);
            memcpy(argmax + (yo0 + r) * OW + xo, t, (size_t)n * sizeof(int));
        }
    }
}

static void NAME(maxpool2d_rows)(const float *x, long planes, long H, long W, long KH, long KW, long SH, long SW,
                                 long PH, long PW, long OH, long OW, float *y, int *argmax, float *split) {
    const long pw = reel_mp_phase_cols(W, KW, SW, PW, OW), margin = PW + 1;
    // Zero once: every plane writes the same columns of each phase row; margins and tails stay zero (masked off).
    memset(split, 0, (size_t)(H * SW * pw) * sizeof(float));
    for (long p = 0; p < planes; p++) {
        const float *src = x + p * H * W;
        for (long r = 0; r < H; r++) {
            const float *row = src + r * W;
            if (SW == 2) {
                float *d0 = split + (r * 2) * pw + margin, *d1 = d0 + pw;
                long j = 0;
                typedef float vf2 __attribute__((ext_vector_type(2 * VLEN)));
                for (; 2 * j + 2 * VLEN <= W; j += VLEN) {
                    vf2 d;
                    memcpy(&d, row + 2 * j, sizeof d);
                    vstore(d0 + j, d.even);
                    vstore(d1 + j, d.odd);
                }
                for (; 2 * j + 1 < W; j++) { d0[j] = row[2 * j]; d1[j] = row[2 * j + 1]; }
                if (2 * j < W) d0[j] = row[2 * j];
            } else {
                for (long ph = 0; ph < SW; ph++) {
                    float *dst = split + (r * SW + ph) * pw + margin;
                    for (long j = 0; ph + j * SW < W; j++) dst[j] = row[ph + j * SW];
                }
            }
        }
        float *yp = y + p * OH * OW;
        int *ap = argmax ? argmax + p * OH * OW : NULL;
        for (long yo0 = 0; yo0 < OH; yo0 += MP_ROWS) {
            const long nr = OH - yo0 < MP_ROWS ? OH - yo0 : MP_ROWS;
            for (long xo = 0; xo < OW; xo += VLEN) {
                if (ap) NAME(mp_pass)(split, pw, margin, H, W, KH, KW, SH, SW, PH, PW, OW, yo0, nr, xo, yp, ap, 1);
                else NAME(mp_pass)(split, pw, margin, H, W, KH, KW, SH, SW, PH, PW, OW, yo0, nr, xo, yp, NULL, 0);
            }
        }
    }
}

// MARK: BatchNorm and ReLU

static void NAME(bn_sums)(const float *d, const float *x, float mean, float istd, long m, double *s, double *s2) {
    double a[16] = {0}, q[16] = {0};
    long i = 0;
    for (; i + 16 <= m; i += 16)
        for (int k = 0; k < 16; k++) {
            const double dv = d[i + k], h = (x[i + k] - mean) * istd;
            a[k] += dv;
            q[k] += dv * h;
        }
    for (int k = 0; i < m; i++, k++) {
        const double dv = d[i], h = (x[i] - mean) * istd;
        a[k] += dv;
        q[k] += dv * h;
    }
    for (int w = 8; w > 0; w /= 2)
        for (int k = 0; k < w; k++) { a[k] += a[k + w]; q[k] += q[k + w]; }
    *s = a[0];
    *s2 = q[0];
}

static void NAME(bn_normalize)(const float *restrict x, float mean, float istd, float g, float beta, float *restrict y,
                               long m, int relu) {
    if (relu) {
        for (long i = 0; i < m; i++) {
            const float v = ((x[i] - mean) * istd) * g + beta;
            y[i] = 0.0f >= v ? 0.0f : v;   // Swift's max(v, 0): NaN stays, −0 → +0
        }
    } else {
        for (long i = 0; i < m; i++) y[i] = ((x[i] - mean) * istd) * g + beta;
    }
}

static void NAME(bn_input_gradient)(const float *restrict d, const float *restrict x, float mean, float istd,
                                    float meanDy, float meanDyH, float scale, float *restrict out, long m) {
    for (long i = 0; i < m; i++) out[i] = scale * ((d[i] - meanDy) - ((x[i] - mean) * istd) * meanDyH);
}

static void NAME(relu_backward)(const float *restrict d, const float *restrict y, float *restrict out, long n) {
    for (long i = 0; i < n; i++) out[i] = y[i] > 0.0f ? d[i] : 0.0f;
}

static void NAME(add_relu)(const float *restrict x, float *restrict y, long n) {
    for (long i = 0; i < n; i++) {
        const float v = y[i] + x[i];
        y[i] = 0.0f >= v ? 0.0f : v;
    }
}

const reel_layer_table NAME(reel_layers) = {
    .im2col = NAME(im2col),
    .col2im = NAME(col2im),
    .maxpool2d_rows = NAME(maxpool2d_rows),
    .bn_sums = NAME(bn_sums),
    .bn_normalize = NAME(bn_normalize),
    .bn_input_gradient = NAME(bn_input_gradient),
    .relu_backward = NAME(relu_backward),
    .add_relu = NAME(add_relu),
};
