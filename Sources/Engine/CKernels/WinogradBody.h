// Winograd F(2×2, 3×3) and F(4×4, 3×3) transforms (Sources/Engine/Core/Kernels/Winograd.swift has the algebra), written once with
// clang's vector extensions and compiled per ISA after KernelBody.h (which defines vf, VLEN, vload, vstore_n, NAME).
//
// Every transform works on WV consecutive tiles of a plane at a time (tile order: row-major, so V/M columns are
// contiguous and the GEMMs see the same layout as before), one tile per lane. When those tiles lie in one tile row
// their window columns are one contiguous load from a zero-padded copy of the plane; when they span tile rows (planes
// narrower than WV tiles, or a chunk crossing a row end) each row's part is copied into a staging row first.
//
// Bit-identical across ISAs: each output value is the same sequence of additions and subtractions whatever VLEN is
// (nothing to contract into an FMA; contraction is off anyway for the weight transforms' ×½), and lanes never mix.
#pragma STDC FP_CONTRACT OFF


/// Copies an H×W plane into rows of stride wp. Inline copies of whole vectors, then constant-size pieces: rows are
/// 2–32 floats here, where a memcpy call per row cost more than the copy (memmove was 3–4 % of a train step).
static inline void wg_copy(const float *src, long H, long W, float *dst, long wp) {
    for (long r = 0; r < H; r++) {
        const float *s = src + r * W;
        float *d = dst + r * wp;
        long i = 0;
        for (; i + VLEN <= W; i += VLEN) vstore(d + i, vload(s + i));
        const long rest = W - i;
#if VLEN > 8
        if (rest & 8) { memcpy(d + i, s + i, 8 * sizeof(float)); i += 8; }
#endif
#if VLEN > 4
        if (rest & 4) { memcpy(d + i, s + i, 4 * sizeof(float)); i += 4; }
#endif
        if (rest & 2) { memcpy(d + i, s + i, 2 * sizeof(float)); i += 2; }
        if (rest & 1) d[i] = s[i];
    }
}

#define WV VLEN
#include "WinogradWidth.h"
#include "Winograd4Width.h"
#undef WV
#if VLEN >= 8
#define WV 4
#include "WinogradWidth.h"
#include "Winograd4Width.h"
#undef WV
#endif
#if VLEN >= 16
#define WV 8
#include "WinogradWidth.h"
#include "Winograd4Width.h"
#undef WV
#endif

/// The widest vector (≤ VLEN, ≥ 4 floats) that a plane of `tpp` tiles fills: the transforms' cost is per chunk.
#if VLEN >= 16
#define WG_PICK(tpp, f, ...) \
    ((tpp) >= VLEN ? CAT(f, CAT(w, VLEN))(__VA_ARGS__) : (tpp) >= 8 ? CAT(f, w_8)(__VA_ARGS__) : CAT(f, w_4)(__VA_ARGS__))
#elif VLEN >= 8
#define WG_PICK(tpp, f, ...) ((tpp) >= VLEN ? CAT(f, CAT(w, VLEN))(__VA_ARGS__) : CAT(f, w_4)(__VA_ARGS__))
#else
#define WG_PICK(tpp, f, ...) CAT(f, CAT(w, VLEN))(__VA_ARGS__)
#endif
#define WG_TPP(H, W) (((H) + 1) / 2 * (((W) + 1) / 2))

static void NAME(wino_input)(const float *x, long C, long P, long H, long W, long p0, long p1, float *v, long ld,
                             float *scratch) {
    WG_PICK(WG_TPP(H, W), wino_input, x, C, P, H, W, p0, p1, v, ld, scratch);
}
static void NAME(wino_output)(const float *m, long ld, long O, long P, long H, long W, long p0, long p1, float *y) {
    WG_PICK(WG_TPP(H, W), wino_output, m, ld, O, P, H, W, p0, p1, y);
}
static void NAME(wino_output_gradient)(const float *dy, long O, long P, long H, long W, long p0, long p1, float *dm,
                                       long ld, float *scratch) {
    WG_PICK(WG_TPP(H, W), wino_output_gradient, dy, O, P, H, W, p0, p1, dm, ld, scratch);
}
static void NAME(wino_input_gradient)(const float *dv, long ld, long C, long P, long H, long W, long p0, long p1,
                                      float *dx, float *scratch) {
    WG_PICK(WG_TPP(H, W), wino_input_gradient, dv, ld, C, P, H, W, p0, p1, dx, scratch);
}

/// F(4×4, 3×3): the narrowest vector (≥ 4 floats) that holds a tile row of `tw` tiles, else the widest — its chunks
/// never cross a tile row.
#if VLEN >= 16
#define WG4_PICK(tw, f, ...) \
    ((tw) > 8 ? CAT(f, CAT(q, VLEN))(__VA_ARGS__) : (tw) > 4 ? CAT(f, q_8)(__VA_ARGS__) : CAT(f, q_4)(__VA_ARGS__))
#elif VLEN >= 8
#define WG4_PICK(tw, f, ...) ((tw) > 4 ? CAT(f, CAT(q, VLEN))(__VA_ARGS__) : CAT(f, q_4)(__VA_ARGS__))
#else
#define WG4_PICK(tw, f, ...) CAT(f, CAT(q, VLEN))(__VA_ARGS__)
#endif

static void NAME(wino4_input)(const float *x, long C, long P, long H, long W, long p0, long p1, float *v, long ld,
                              float *scratch) {
    WG4_PICK((W + 3) / 4, wino4_input, x, C, P, H, W, p0, p1, v, ld, scratch);
}
static void NAME(wino4_output)(const float *m, long ld, long O, long P, long H, long W, long p0, long p1, float *y) {
    WG4_PICK((W + 3) / 4, wino4_output, m, ld, O, P, H, W, p0, p1, y);
}
static void NAME(wino4_output_gradient)(const float *dy, long O, long P, long H, long W, long p0, long p1, float *dm,
                                        long ld, float *scratch) {
    WG4_PICK((W + 3) / 4, wino4_output_gradient, dy, O, P, H, W, p0, p1, dm, ld, scratch);
}
static void NAME(wino4_input_gradient)(const float *dv, long ld, long C, long P, long H, long W, long p0, long p1,
                                       float *dx, float *scratch) {
    WG4_PICK((W + 3) / 4, wino4_input_gradient, dv, ld, C, P, H, W, p0, p1, dx, scratch);
}
