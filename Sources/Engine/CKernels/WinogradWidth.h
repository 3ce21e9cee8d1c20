// One width of the Winograd transforms (WinogradBody.h): included once per vector width WV ≤ VLEN, so planes of few
// tiles use a narrower vector instead of mostly empty lanes. Names get the suffix _w_<WV>.
#define WN(f) CAT(f, CAT(w, WV))
#define WVT WN(wvt)
#define WV2T WN(wv2t)
typedef float WVT __attribute__((ext_vector_type(WV)));
typedef float WV2T __attribute__((ext_vector_type(2 * WV)));

static inline WVT WN(wload)(const float *p) { WVT v; memcpy(&v, p, sizeof v); return v; }
/// Stores the first n lanes.
static inline void WN(wstore_n)(float *p, WVT v, long n) {
    if (n >= WV) { memcpy(p, &v, sizeof v); return; }
    float t[WV];
    memcpy(t, &v, sizeof v);
    memcpy(p, t, (size_t)n * sizeof(float));
}

/// The first n lanes from p (the rest 0), never reading past p + n.
static inline WVT WN(wg_load_n)(const float *p, long n) {
    if (n >= WV) return WN(wload)(p);
    float t[WV] = {0};
    memcpy(t, p, (size_t)n * sizeof(float));
    return WN(wload)(t);
}

/// Columns 2j + col (`*e`) and 2j + col + 1 (`*o`) of padded row 2i + row for the n tiles (i, j) from flat tile t0
/// of a plane tw tiles wide; `plane` has row stride wp and at least 2·REEL_WINO_VMAX + 2 columns past 2·tw.
static inline void WN(wg_pairs)(const float *plane, long wp, long tw, long t0, long n, long row, long col, WVT *e, WVT *o) {
    long i = t0 / tw, j = t0 % tw;
    WV2T d;
    if (j + n <= tw) {
        memcpy(&d, plane + (2 * i + row) * wp + 2 * j + col, sizeof d);
    } else {
        // Whole 2·WV-float copies, in order: each overwrites the previous one's excess (lanes past n keep some).
        float buf[4 * WV];
        long l = 0;
        while (l < n) {
            long len = tw - j < n - l ? tw - j : n - l;
            memcpy(buf + 2 * l, plane + (2 * i + row) * wp + 2 * j + col, sizeof d);
            l += len, i++, j = 0;
        }
        memcpy(&d, buf, sizeof d);
    }
    *e = d.even;
    *o = d.odd;
}

/// Writes the interleaved pairs `d` (two columns per tile) of the n tiles from flat tile t0 to output row 2i + row
/// of a W-wide plane (columns past W dropped; rows past H skipped).
static inline void WN(wg_put_pairs)(float *plane, long H, long W, long tw, long t0, long n, long row, WV2T d) {
    long i = t0 / tw, j = t0 % tw;
    if (j + n <= tw && 2 * (j + n) <= W && n == WV) {
        if (2 * i + row < H) memcpy(plane + (2 * i + row) * W + 2 * j, &d, sizeof d);
        return;
    }
    float buf[2 * WV];
    memcpy(buf, &d, sizeof d);
    long l = 0;
    while (l < n) {
        long len = tw - j < n - l ? tw - j : n - l;
        long cols = 2 * (j + len) <= W ? 2 * len : W - 2 * j;
        if (2 * i + row < H) memcpy(plane + (2 * i + row) * W + 2 * j, buf + 2 * l, (size_t)cols * sizeof(float));
        l += len, i++, j = 0;
    }
}


/// V[ξ][c][tile] = (Bᵀ d B)[ξ]: see reel_winograd_input.
static void WN(wino_input)(const float *x, long C, long P, long H, long W, long p0, long p1, float *v, long ld,
                             float *scratch) {
    const long th = (H + 1) / 2, tw = (W + 1) / 2, tpp = th * tw, wp = reel_wino_padded_width(W);
    const long rs = C * ld;
    // Zero once: every plane overwrites the same interior (offset one row and one column), the border stays zero.
    memset(scratch, 0, (size_t)(reel_wino_padded_height(H) * wp) * sizeof(float));
    for (long c = 0; c < C; c++) {
        for (long p = p0; p < p1; p++) {
            wg_copy(x + (c * P + p) * H * W, H, W, scratch + wp + 1, wp);
            float *out = v + c * ld + (p - p0) * tpp;
            for (long t0 = 0; t0 < tpp; t0 += WV) {
                const long n = tpp - t0 < WV ? tpp - t0 : WV;
                // t = d·B for each window row a: (d0 − d2, d1 + d2, d2 − d1, d1 − d3); V = Bᵀ·t down the rows.
                WVT r[4][4];
                for (int a = 0; a < 4; a++) {
                    WVT d0, d1, d2, d3;
                    WN(wg_pairs)(scratch, wp, tw, t0, n, a, 0, &d0, &d1);
                    WN(wg_pairs)(scratch, wp, tw, t0, n, a, 2, &d2, &d3);
                    r[a][0] = d0 - d2, r[a][1] = d1 + d2, r[a][2] = d2 - d1, r[a][3] = d1 - d3;
                }
                float *q = out + t0;
                for (int b = 0; b < 4; b++) {
                    WN(wstore_n)(q + b * rs, r[0][b] - r[2][b], n);
                    WN(wstore_n)(q + (4 + b) * rs, r[1][b] + r[2][b], n);
                    WN(wstore_n)(q + (8 + b) * rs, r[2][b] - r[1][b], n);
                    WN(wstore_n)(q + (12 + b) * rs, r[1][b] - r[3][b], n);
                }
            }
        }
    }
}

/// Y = Aᵀ M A: see reel_winograd_output.
static void WN(wino_output)(const float *m, long ld, long O, long P, long H, long W, long p0, long p1, float *y) {
    const long th = (H + 1) / 2, tw = (W + 1) / 2, tpp = th * tw;
    const long rs = O * ld;
    for (long o = 0; o < O; o++) {
        for (long p = p0; p < p1; p++) {
            float *dst = y + (o * P + p) * H * W;
            const float *src = m + o * ld + (p - p0) * tpp;
            for (long t0 = 0; t0 < tpp; t0 += WV) {
                const long n = tpp - t0 < WV ? tpp - t0 : WV;
                // s_a = (M_a0 + M_a1 + M_a2, M_a1 − M_a2 − M_a3) for each row a of the tile's M, then Y = Aᵀ·s.
                WVT ea[4], ob[4];
                for (int a = 0; a < 4; a++) {
                    const float *q = src + 4 * a * rs + t0;
                    WVT m0 = WN(wg_load_n)(q, n), m1 = WN(wg_load_n)(q + rs, n), m2 = WN(wg_load_n)(q + 2 * rs, n),
                       m3 = WN(wg_load_n)(q + 3 * rs, n);
                    ea[a] = m0 + m1 + m2;
                    ob[a] = m1 - m2 - m3;
                }
                WV2T top, bottom;
                top.even = ea[0] + ea[1] + ea[2];
                top.odd = ob[0] + ob[1] + ob[2];
                bottom.even = ea[1] - ea[2] - ea[3];
                bottom.odd = ob[1] - ob[2] - ob[3];
                WN(wg_put_pairs)(dst, H, W, tw, t0, n, 0, top);
                WN(wg_put_pairs)(dst, H, W, tw, t0, n, 1, bottom);
            }
        }
    }
}

/// dM = A·dY·Aᵀ: see reel_winograd_output_gradient.
static void WN(wino_output_gradient)(const float *dy, long O, long P, long H, long W, long p0, long p1, float *dm,
                                       long ld, float *scratch) {
    const long th = (H + 1) / 2, tw = (W + 1) / 2, tpp = th * tw, wp = reel_wino_padded_width(W);
    const long rs = O * ld;
    // The plane goes at (0, 0); the odd row and column a ragged plane's last tiles read stay zero.
    memset(scratch, 0, (size_t)(reel_wino_padded_height(H) * wp) * sizeof(float));
    const WVT zero = 0;
    for (long o = 0; o < O; o++) {
        for (long p = p0; p < p1; p++) {
            wg_copy(dy + (o * P + p) * H * W, H, W, scratch, wp);
            float *out = dm + o * ld + (p - p0) * tpp;
            for (long t0 = 0; t0 < tpp; t0 += WV) {
                const long n = tpp - t0 < WV ? tpp - t0 : WV;
                WVT e0, o0, e1, o1;
                WN(wg_pairs)(scratch, wp, tw, t0, n, 0, 0, &e0, &o0);
                WN(wg_pairs)(scratch, wp, tw, t0, n, 1, 0, &e1, &o1);
                // u = dY·Aᵀ per row: (y0, y0 + y1, y0 − y1, −y1); dM = A·u down the two rows. 0 − y, not −y: the
                // same zero signs as before.
                WVT u0[4] = {e0, e0 + o0, e0 - o0, zero - o0}, u1[4] = {e1, e1 + o1, e1 - o1, zero - o1};
                float *q = out + t0;
                for (int b = 0; b < 4; b++) {
                    WN(wstore_n)(q + b * rs, u0[b], n);
                    WN(wstore_n)(q + (4 + b) * rs, u0[b] + u1[b], n);
                    WN(wstore_n)(q + (8 + b) * rs, u0[b] - u1[b], n);
                    WN(wstore_n)(q + (12 + b) * rs, zero - u1[b], n);
                }
            }
        }
    }
}

/// dx = Σ B·dV·Bᵀ over the overlapping windows: see reel_winograd_input_gradient.
///
/// Two passes per plane. First each tile's 4×4 patch B·dV·Bᵀ goes to `scratch` as 16 rows (window row a, column b)
/// of one value per tile. Then every dx element is the sum of the (up to four) patch values that cover it, always in
/// the same order — the upper tile row before the lower, within a row the tile whose window starts there before the
/// one to its left — so the result does not depend on WV. (The former Swift scatter, eight tiles per vector, added
/// in that order too except at dx columns 16q − 1 and 16q, where its vector boundary put the left tile first: there
/// results can differ from it in the last bit, 17 of 34075 values in WinogradTransformTests' cases.)
static void WN(wino_input_gradient)(const float *dv, long ld, long C, long P, long H, long W, long p0, long p1,
                                      float *dx, float *scratch) {
    const long th = (H + 1) / 2, tw = (W + 1) / 2, tpp = th * tw, rs = C * ld;
    const long pad = REEL_WINO_VMAX, tl = reel_wino_patch_row(H, W);
    // Zero once: the margins of each patch row (read by lanes that are masked or past the plane) stay zero.
    memset(scratch, 0, (size_t)(16 * tl) * sizeof(float));
    const WVT zero = 0;
    float iota_f[WV];
    for (int l = 0; l < WV; l++) iota_f[l] = (float)l;
    const WVT iota = WN(wload)(iota_f);
    for (long c = 0; c < C; c++) {
        for (long p = p0; p < p1; p++) {
            const float *src = dv + c * ld + (p - p0) * tpp;
            for (long t0 = 0; t0 < tpp; t0 += WV) {
                const long n = tpp - t0 < WV ? tpp - t0 : WV;
                // w_α = dV_α·Bᵀ per row α: (v0, v1 − v2 + v3, −v0 + v1 + v2, −v3); patch = B·w down the rows.
                WVT w[4][4];
                for (int a = 0; a < 4; a++) {
                    const float *q = src + 4 * a * rs + t0;
                    WVT v0 = WN(wg_load_n)(q, n), v1 = WN(wg_load_n)(q + rs, n), v2 = WN(wg_load_n)(q + 2 * rs, n),
                       v3 = WN(wg_load_n)(q + 3 * rs, n);
                    w[a][0] = v0, w[a][1] = v1 - v2 + v3, w[a][2] = v1 + v2 - v0, w[a][3] = zero - v3;
                }
                for (int b = 0; b < 4; b++) {
                    float *q = scratch + b * tl + pad + t0;
                    WN(wstore_n)(q, w[0][b], n);
                    WN(wstore_n)(q + 4 * tl, w[1][b] - w[2][b] + w[3][b], n);
                    WN(wstore_n)(q + 8 * tl, w[1][b] + w[2][b] - w[0][b], n);
                    WN(wstore_n)(q + 12 * tl, zero - w[3][b], n);
                }
            }
            // dx[r][x] is padded (r + 1, x + 1), covered by window row a1 = (r+1) mod 2 of tile row i1 = (r+1)/2 and
            // window row a1 + 2 of tile row i1 − 1. Padded column 2k + 1 (x = 2k) is window column 1 of tile k and 3 of
            // tile k − 1; padded column 2k + 2 (x = 2k + 1) is column 0 of tile k + 1 and 2 of tile k.
            float *dst = dx + (c * P + p) * H * W;
            for (long r = 0; r < H; r++) {
                const long i1 = (r + 1) / 2, a1 = (r + 1) % 2;
                for (long k0 = 0; 2 * k0 < W; k0 += WV) {
                    const WVT k = iota + (float)k0;
                    WVT even = 0, odd = 0;   // dx columns 2k and 2k + 1
                    for (int part = 0; part < 2; part++) {
                        const long i = part == 0 ? i1 - 1 : i1, a = part == 0 ? a1 + 2 : a1;
                        if (i < 0 || i >= th) continue;   // adding the missing tile row's zeros changes nothing
                        const float *q = scratch + 4 * a * tl + pad + i * tw + k0;
                        even = even + WN(wload)(q + tl);
                        even = even + (k >= 1.0f ? WN(wload)(q + 3 * tl - 1) : zero);
                        odd = odd + (k + 1.0f < (float)tw ? WN(wload)(q + 1) : zero);
                        odd = odd + WN(wload)(q + 2 * tl);
                    }
                    WV2T d;
                    d.even = even;
                    d.odd = odd;
                    const long cols = W - 2 * k0 < 2 * WV ? W - 2 * k0 : 2 * WV;
                    if (cols == 2 * WV) memcpy(dst + r * W + 2 * k0, &d, sizeof d);
                    else {
                        float buf[2 * WV];
                        memcpy(buf, &d, sizeof d);
                        memcpy(dst + r * W + 2 * k0, buf, (size_t)cols * sizeof(float));
                    }
                }
            }
        }
    }
}

#undef WN
#undef WVT
#undef WV2T
