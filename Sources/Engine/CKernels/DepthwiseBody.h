// The channel-wise 3-D convolution (include/ReelDepthwise.h), written once with clang's vector extensions and
// compiled per ISA after KernelBody.h (which defines vf, VLEN, vload, vstore, vsum, NAME).
//
// Why this shape: a depthwise filter has only KT·KH·KW taps per output, so the work is bound by reading inputs, not
// by arithmetic. Each input frame is split once into zero-padded stride-phase planes (DepthwiseTable.h), after which
// every tap is one contiguous run: an output block of DW_NV vectors stays in registers while all taps are added into
// it (forward), the input gradient gathers dy the same way into each phase plane (its transpose: no scatter, no
// atomics), and each tap's weight gradient is one dot product of dy with that tap's shifted input run.
// Outputs are computed on rows PC wide and compacted; the columns between OW and PC read zeros in dy.
#include "DepthwiseTable.h"

/// Vectors per register block.
#define DW_NV 4

/// Splits the T input frames into phase planes (zeros in the padding and past the input), margins zeroed.
static void NAME(dw_phases)(const reel_dw_shape *s, const reel_dw_layout *l, const float *x, float *xp) {
    const long SH = s->SH, SW = s->SW;
    for (long t = 0; t < s->T; t++) {
        float *frame = xp + t * l->xframe;
        const float *src = x + t * s->H * s->W;
        for (long py = 0; py < SH; py++) {
            for (long px = 0; px < SW; px++) {
                float *plane = frame + (py * SW + px) * l->plane;
                // Columns q' whose source column q'·SW + px − PW lies in [0, W).
                const long c0 = px - s->PW;
                long qlo = c0 >= 0 ? 0 : (-c0 + SW - 1) / SW;
                long qhi = (s->W - c0 + SW - 1) / SW;
                if (qhi > l->PC) qhi = l->PC;
                if (qlo > qhi) qlo = qhi;
                for (long q = 0; q < l->PR; q++) {
                    float *row = plane + q * l->PC;
                    const long r = q * SH + py - s->PH;
                    if (r < 0 || r >= s->H) { memset(row, 0, (size_t)l->PC * sizeof(float)); continue; }
                    const float *in = src + r * s->W + c0;
                    memset(row, 0, (size_t)qlo * sizeof(float));
                    if (SW == 1) memcpy(row + qlo, in + qlo, (size_t)(qhi - qlo) * sizeof(float));
                    else for (long c = qlo; c < qhi; c++) row[c] = in[c * SW];
                    memset(row + qhi, 0, (size_t)(l->PC - qhi) * sizeof(float));
                }
            }
        }
        memset(frame + SH * SW * l->plane, 0, (size_t)(l->xframe - SH * SW * l->plane) * sizeof(float));
    }
}

/// acc[0..n) (rounded up to whole blocks) = Σ_k w[k] · src[k][i]: the register-blocked gather of every tap.
static inline void NAME(dw_gather)(const float *const *src, const float *w, long taps, long n, float *acc) {
    for (long i0 = 0; i0 < n; i0 += DW_NV * VLEN) {
        vf a[DW_NV];
        for (int v = 0; v < DW_NV; v++) a[v] = 0;
        for (long k = 0; k < taps; k++) {
            const float *p = src[k] + i0;
            const vf wk = w[k];
            for (int v = 0; v < DW_NV; v++) a[v] += wk * vload(p + v * VLEN);
        }
        for (int v = 0; v < DW_NV; v++) vstore(acc + i0 + v * VLEN, a[v]);
    }
}

static void NAME(dw_forward)(const reel_dw_shape *s, const float *x, const float *w, float *y, float *scratch) {
    const reel_dw_layout l = reel_dw_layout_of(s);
    float *xp = scratch, *buf = scratch + s->T * l.xframe;
    NAME(dw_phases)(s, &l, x, xp);
    const long taps = s->KT * s->KH * s->KW, n = l.OH * l.PC;
    const float *src[taps];
    float wt[taps];
    for (long to = 0; to < l.OT; to++) {
        long k = 0;
        for (long kt = 0; kt < s->KT; kt++) {
            const long ti = to * s->ST - s->PT + kt;
            if (ti < 0 || ti >= s->T) continue;   // a frame of temporal padding adds nothing
            for (long ky = 0; ky < s->KH; ky++)
                for (long kx = 0; kx < s->KW; kx++) {
                    src[k] = xp + ti * l.xframe + ((ky % s->SH) * s->SW + kx % s->SW) * l.plane + (ky / s->SH) * l.PC
                        + kx / s->SW;
                    wt[k++] = w[(kt * s->KH + ky) * s->KW + kx];
                }
        }
        float *out = y + to * l.OH * l.OW;
        if (k == 0) { memset(out, 0, (size_t)(l.OH * l.OW) * sizeof(float)); continue; }
        NAME(dw_gather)(src, wt, k, n, buf);
        for (long oy = 0; oy < l.OH; oy++) memcpy(out + oy * l.OW, buf + oy * l.PC, (size_t)l.OW * sizeof(float));
    }
}

static void NAME(dw_backward)(const reel_dw_shape *s, const float *x, const float *w, const float *dy, float *dx,
                              float *dw, float *scratch) {
    const reel_dw_layout l = reel_dw_layout_of(s);
    float *xp = scratch, *dyp = xp + s->T * l.xframe, *buf = dyp + l.OT * l.dyframe;
    // dy laid out PC wide after a zero margin, zeros past each row's OW columns and past the last row.
    for (long to = 0; to < l.OT; to++) {
        float *frame = dyp + to * l.dyframe;
        memset(frame, 0, (size_t)l.dyframe * sizeof(float));
        for (long oy = 0; oy < l.OH; oy++)
            memcpy(frame + l.front + oy * l.PC, dy + (to * l.OH + oy) * l.OW, (size_t)l.OW * sizeof(float));
    }
    const long SH = s->SH, SW = s->SW, taps = s->KT * s->KH * s->KW;
    if (dx) {
        const float *src[taps];
        float wt[taps];
        for (long ti = 0; ti < s->T; ti++) {
            for (long py = 0; py < SH; py++)
                for (long px = 0; px < SW; px++) {
                    // Phase plane (py, px) of frame ti receives the taps ky ≡ py, kx ≡ px of the outputs reading it.
                    long k = 0;
                    for (long kt = 0; kt < s->KT; kt++) {
                        const long num = ti + s->PT - kt;
                        if (num < 0 || num % s->ST != 0 || num / s->ST >= l.OT) continue;
                        const float *frame = dyp + (num / s->ST) * l.dyframe + l.front;
                        for (long ky = py; ky < s->KH; ky += SH)
                            for (long kx = px; kx < s->KW; kx += SW) {
                                src[k] = frame - (ky / SH) * l.PC - kx / SW;
                                wt[k++] = w[(kt * s->KH + ky) * s->KW + kx];
                            }
                    }
                    if (k == 0) memset(buf, 0, (size_t)l.plane * sizeof(float));
                    else NAME(dw_gather)(src, wt, k, l.plane, buf);
                    // Back from the phase plane to the input rows and columns it holds: row h ≡ py − PH and column
                    // c ≡ px − PW (mod the stride), phase row (h + PH)/SH and column (c + PW)/SW, both stepping by one
                    // (no division per element: with a run-time stride it was the backward's largest cost).
                    const long h0 = (py - s->PH % SH + SH) % SH, c0 = (px - s->PW % SW + SW) % SW;
                    const float *b = buf + ((h0 + s->PH) / SH) * l.PC + (c0 + s->PW) / SW;
                    for (long h = h0; h < s->H; h += SH, b += l.PC) {
                        float *row = dx + (ti * s->H + h) * s->W;
                        if (SW == 1) { memcpy(row, b, (size_t)s->W * sizeof(float)); continue; }
                        long q = 0;
                        for (long c = c0; c < s->W; c += SW) row[c] = b[q++];
                    }
                }
        }
    }
    if (dw) {
        NAME(dw_phases)(s, &l, x, xp);
        const long n = l.OH * l.PC;
        for (long kt = 0; kt < s->KT; kt++)
            for (long ky = 0; ky < s->KH; ky++)
                for (long kx = 0; kx < s->KW; kx++) {
                    const long off = ((ky % SH) * SW + kx % SW) * l.plane + (ky / SH) * l.PC + kx / SW;
                    vf a0 = 0, a1 = 0;
                    for (long to = 0; to < l.OT; to++) {
                        const long ti = to * s->ST - s->PT + kt;
                        if (ti < 0 || ti >= s->T) continue;
                        const float *d = dyp + to * l.dyframe + l.front, *in = xp + ti * l.xframe + off;
                        long i = 0;
                        for (; i + 2 * VLEN <= n; i += 2 * VLEN) {
                            a0 += vload(d + i) * vload(in + i);
                            a1 += vload(d + i + VLEN) * vload(in + i + VLEN);
                        }
                        // The rest as a whole vector: dy is zero past n (its frame's zero tail).
                        if (i < n) a0 += vload(d + i) * vload(in + i);
                        if (i + VLEN < n) a1 += vload(d + i + VLEN) * vload(in + i + VLEN);
                    }
                    dw[(kt * s->KH + ky) * s->KW + kx] += vsum(a0 + a1);
                }
    }
}

const reel_depthwise_table NAME(reel_depthwise) = {
    .forward = NAME(dw_forward),
    .backward = NAME(dw_backward),
};
