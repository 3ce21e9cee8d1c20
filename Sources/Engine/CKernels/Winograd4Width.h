// One width of the Winograd F(4×4, 3×3) transforms (WinogradBody.h includes it per vector width WV after
// WinogradWidth.h, whose vector type, loads and stores it uses). Names get the suffix _q_<WV>.
//
// One tile per lane, WV consecutive tiles of one tile row at a time (a chunk never crosses a tile row, so the lanes of a
// plane's last chunk past its tile row are zero). Window columns come from one contiguous load of 4·WV floats split
// into its four stride-4 phases (`.even.even` … `.odd.odd`), and output rows are written back the same way.
#define QN(f) CAT(f, CAT(q, WV))
#define QV CAT(wvt, CAT(w, WV))
#define QV4 QN(qv4t)
#define QLOAD_N CAT(wg_load_n, CAT(w, WV))
#define QSTORE_N CAT(wstore_n, CAT(w, WV))
#define WN_LOAD CAT(wload, CAT(w, WV))
typedef float QV4 __attribute__((ext_vector_type(4 * WV)));

/// Columns col … col + 3 of the windows of tiles j0 … j0 + WV − 1 on the padded row `rowp` (window j starts at 4j).
static inline void QN(q_quads)(const float *rowp, long j0, long col, QV c[4]) {
    QV4 d;
    memcpy(&d, rowp + 4 * j0 + col, sizeof d);
    c[0] = d.even.even, c[1] = d.odd.even, c[2] = d.even.odd, c[3] = d.odd.odd;
}

/// WV floats from p when `full` (the caller knows the row has them; lanes past the chunk's n tiles are then another
/// tile row's, which the transforms never store), else the first n (the rest 0).
static inline QV QN(q_load)(const float *p, long n, int full) { return full ? WN_LOAD(p) : QLOAD_N(p, n); }

/// The lanes of v before lane n; 0 in the others.
static inline QV QN(q_mask)(QV v, long n) {
    float iota_f[WV];
    for (int l = 0; l < WV; l++) iota_f[l] = (float)l;
    const QV iota = WN_LOAD(iota_f), zero = 0;
    return iota < (float)n ? v : zero;
}

/// Stores all WV lanes when `full` (what lands past the chunk's n tiles is overwritten by a later chunk), else n.
static inline void QN(q_store)(float *p, QV v, long n, int full) {
    if (full) memcpy(p, &v, sizeof v);
    else QSTORE_N(p, v, n);
}

/// Bᵀ·x for the 6-vector x (rows of Bᵀ: [4 0 −5 0 1 0], [0 −4 −4 1 1 0], [0 4 −4 −1 1 0], [0 −2 −1 2 1 0],
/// [0 2 −1 −2 1 0], [0 4 0 −5 0 1]).
static inline void QN(q_bt)(const QV x[6], QV y[6]) {
    y[0] = (4.0f * x[0] - 5.0f * x[2]) + x[4];
    y[1] = (x[3] + x[4]) - 4.0f * (x[1] + x[2]);
    y[2] = (x[4] - x[3]) + 4.0f * (x[1] - x[2]);
    y[3] = (x[4] - x[2]) + 2.0f * (x[3] - x[1]);
    y[4] = (x[4] - x[2]) - 2.0f * (x[3] - x[1]);
    y[5] = (4.0f * x[1] - 5.0f * x[3]) + x[5];
}

/// B·x, the transpose of q_bt.
static inline void QN(q_b)(const QV x[6], QV y[6]) {
    const QV zero = 0;
    y[0] = 4.0f * x[0];
    y[1] = (4.0f * (x[2] - x[1]) + 2.0f * (x[4] - x[3])) + 4.0f * x[5];
    y[2] = ((zero - 5.0f * x[0]) - 4.0f * (x[1] + x[2])) - (x[3] + x[4]);
    y[3] = ((x[1] - x[2]) + 2.0f * (x[3] - x[4])) - 5.0f * x[5];
    y[4] = (x[0] + (x[1] + x[2])) + (x[3] + x[4]);
    y[5] = x[5];
}

/// Aᵀ·x for the 6-vector x (rows of Aᵀ: [1 1 1 1 1 0], [0 1 −1 2 −2 0], [0 1 1 4 4 0], [0 1 −1 8 −8 1]).
static inline void QN(q_at)(const QV x[6], QV y[4]) {
    const QV s12 = x[1] + x[2], d12 = x[1] - x[2], s34 = x[3] + x[4], d34 = x[3] - x[4];
    y[0] = (x[0] + s12) + s34;
    y[1] = d12 + 2.0f * d34;
    y[2] = s12 + 4.0f * s34;
    y[3] = (d12 + 8.0f * d34) + x[5];
}

/// A·u for the 4-vector u, the transpose of q_at.
static inline void QN(q_a)(const QV u[4], QV y[6]) {
    const QV e = u[0] + u[2], o = u[1] + u[3], e4 = u[0] + 4.0f * u[2], o4 = 2.0f * u[1] + 8.0f * u[3];
    y[0] = u[0];
    y[1] = e + o;
    y[2] = e - o;
    y[3] = e4 + o4;
    y[4] = e4 - o4;
    y[5] = u[3];
}

/// V[ξ][c][tile] = (Bᵀ d B)[ξ], ξ = 6a + b: see reel_winograd4_input.
static void QN(wino4_input)(const float *x, long C, long P, long H, long W, long p0, long p1, float *v, long ld,
                            float *scratch) {
    const long th = (H + 3) / 4, tw = (W + 3) / 4, tpp = th * tw, wp = 4 * tw + 4 * WV + 4;
    const long rs = C * ld;
    // Zero once: every plane overwrites the same interior (offset one row and one column), the border stays zero.
    memset(scratch, 0, (size_t)((4 * th + 2) * wp) * sizeof(float));
    for (long c = 0; c < C; c++) {
        for (long p = p0; p < p1; p++) {
            wg_copy(x + (c * P + p) * H * W, H, W, scratch + wp + 1, wp);
            float *out = v + c * ld + (p - p0) * tpp;
            for (long i = 0; i < th; i++) {
                for (long j0 = 0; j0 < tw; j0 += WV) {
                    const long n = tw - j0 < WV ? tw - j0 : WV;
                    // r[a] = Bᵀ·(window row a), then V[·][b] = Bᵀ·r[·][b] down the rows.
                    QV r[6][6];
                    for (int a = 0; a < 6; a++) {
                        const float *rowp = scratch + (4 * i + a) * wp;
                        QV d[6], hi[4];
                        QN(q_quads)(rowp, j0, 0, d);
                        QN(q_quads)(rowp, j0, 4, hi);
                        d[4] = hi[0], d[5] = hi[1];
                        QN(q_bt)(d, r[a]);
                    }
                    float *q = out + i * tw + j0;
                    // Spilling past this tile row lands on tiles a later chunk writes: only the end of the range is exact.
                    const int full = (p - p0) * tpp + i * tw + j0 + WV <= (p1 - p0) * tpp;
                    for (int b = 0; b < 6; b++) {
                        QV col[6] = {r[0][b], r[1][b], r[2][b], r[3][b], r[4][b], r[5][b]}, y[6];
                        QN(q_bt)(col, y);
                        for (int a = 0; a < 6; a++) QN(q_store)(q + (6 * a + b) * rs, y[a], n, full);
                    }
                }
            }
        }
    }
}

/// Y = Aᵀ M A: see reel_winograd4_output.
static void QN(wino4_output)(const float *m, long ld, long O, long P, long H, long W, long p0, long p1, float *y) {
    const long th = (H + 3) / 4, tw = (W + 3) / 4, tpp = th * tw;
    const long rs = O * ld;
    for (long o = 0; o < O; o++) {
        for (long p = p0; p < p1; p++) {
            float *dst = y + (o * P + p) * H * W;
            const float *src = m + o * ld + (p - p0) * tpp;
            for (long i = 0; i < th; i++) {
                for (long j0 = 0; j0 < tw; j0 += WV) {
                    const long n = tw - j0 < WV ? tw - j0 : WV;
                    const float *q = src + i * tw + j0;
                    const int full = (p - p0) * tpp + i * tw + j0 + WV <= ld;
                    // s[a] = Aᵀ·(row a of M), then Y[·][col] = Aᵀ·s[·][col].
                    QV s[6][4];
                    for (int a = 0; a < 6; a++) {
                        QV row[6];
                        for (int b = 0; b < 6; b++) row[b] = QN(q_load)(q + (6 * a + b) * rs, n, full);
                        QN(q_at)(row, s[a]);
                    }
                    QV out[4][4];   // out[col][r]
                    for (int col = 0; col < 4; col++) {
                        QV c6[6] = {s[0][col], s[1][col], s[2][col], s[3][col], s[4][col], s[5][col]};
                        QN(q_at)(c6, out[col]);
                    }
                    const long cols = W - 4 * j0 < 4 * n ? W - 4 * j0 : 4 * n;
                    for (int r = 0; r < 4 && 4 * i + r < H; r++) {
                        QV4 d;
                        d.even.even = out[0][r], d.odd.even = out[1][r], d.even.odd = out[2][r], d.odd.odd = out[3][r];
                        float *row = dst + (4 * i + r) * W + 4 * j0;
                        // Whole vectors when they fit the row, or when one chunk covers the row and the excess lands
                        // on the next output row's start, written after this one (this row's next r, or the next
                        // tile row), inside this plane.
                        const long end = (4 * i + r) * W + 4 * j0 + 4 * WV;
                        if (4 * j0 + 4 * WV <= W || (j0 == 0 && end <= H * W)) memcpy(row, &d, sizeof d);
                        else {
                            float buf[4 * WV];
                            memcpy(buf, &d, sizeof d);
                            memcpy(row, buf, (size_t)cols * sizeof(float));
                        }
                    }
                }
            }
        }
    }
}

/// dM = A·dY·Aᵀ: see reel_winograd4_output_gradient.
static void QN(wino4_output_gradient)(const float *dy, long O, long P, long H, long W, long p0, long p1, float *dm,
                                      long ld, float *scratch) {
    const long th = (H + 3) / 4, tw = (W + 3) / 4, tpp = th * tw, wp = 4 * tw + 4 * WV + 4;
    const long rs = O * ld;
    // The plane goes at (0, 0); the rows and columns a ragged plane's last tiles read past it stay zero.
    memset(scratch, 0, (size_t)(4 * th * wp) * sizeof(float));
    for (long o = 0; o < O; o++) {
        for (long p = p0; p < p1; p++) {
            wg_copy(dy + (o * P + p) * H * W, H, W, scratch, wp);
            float *out = dm + o * ld + (p - p0) * tpp;
            for (long i = 0; i < th; i++) {
                for (long j0 = 0; j0 < tw; j0 += WV) {
                    const long n = tw - j0 < WV ? tw - j0 : WV;
                    // w[r] = A·(row r of dY), then dM[·][b] = A·w[·][b].
                    QV w[4][6];
                    for (int r = 0; r < 4; r++) {
                        QV u[4];
                        QN(q_quads)(scratch + (4 * i + r) * wp, j0, 0, u);
                        QN(q_a)(u, w[r]);
                    }
                    float *q = out + i * tw + j0;
                    const int full = (p - p0) * tpp + i * tw + j0 + WV <= (p1 - p0) * tpp;
                    for (int b = 0; b < 6; b++) {
                        QV col[4] = {w[0][b], w[1][b], w[2][b], w[3][b]}, z[6];
                        QN(q_a)(col, z);
                        for (int a = 0; a < 6; a++) QN(q_store)(q + (6 * a + b) * rs, z[a], n, full);
                    }
                }
            }
        }
    }
}

/// dx = Σ B·dV·Bᵀ over the overlapping windows: see reel_winograd4_input_gradient.
///
/// Each tile row's 6×6 patches are summed into a zeroed six-row buffer (a padded element there gets at most two
/// patches, and a + b = b + a, so chunking cannot change it); the buffer's first two rows are then added to the padded
/// plane (the previous tile row's last two) and the other four copied: every element's additions come in the same
/// order whatever WV is.
static void QN(wino4_input_gradient)(const float *dv, long ld, long C, long P, long H, long W, long p0, long p1,
                                     float *dx, float *scratch) {
    const long th = (H + 3) / 4, tw = (W + 3) / 4, tpp = th * tw, wp = 4 * tw + 4 * WV + 4;
    const long rs = C * ld, rows = 4 * th + 2, used = 4 * tw + 2;
    float *plane = scratch, *buf = scratch + rows * wp;
    const QV zero = 0;
    for (long c = 0; c < C; c++) {
        for (long p = p0; p < p1; p++) {
            const float *src = dv + c * ld + (p - p0) * tpp;
            for (long i = 0; i < th; i++) {
                memset(buf, 0, (size_t)(6 * wp) * sizeof(float));
                for (long j0 = 0; j0 < tw; j0 += WV) {
                    const long n = tw - j0 < WV ? tw - j0 : WV;
                    const float *q = src + i * tw + j0;
                    const int full = (p - p0) * tpp + i * tw + j0 + WV <= ld;
                    // t[a] = B·(row a of dV), then the patch column k is B·t[·][k]. Lanes past n must be 0 here: their
                    // patches overlap this row's last tile.
                    QV t[6][6];
                    for (int a = 0; a < 6; a++) {
                        QV row[6];
                        for (int b = 0; b < 6; b++) row[b] = QN(q_mask)(QN(q_load)(q + (6 * a + b) * rs, n, full), n);
                        QN(q_b)(row, t[a]);
                    }
                    QV patch[6][6];   // patch[k][k1]: window column k, row k1
                    for (int k = 0; k < 6; k++) {
                        QV col[6] = {t[0][k], t[1][k], t[2][k], t[3][k], t[4][k], t[5][k]};
                        QN(q_b)(col, patch[k]);
                    }
                    for (int k1 = 0; k1 < 6; k1++) {
                        float *rp = buf + k1 * wp + 4 * j0;
                        QV4 lo, hi, add;
                        add.even.even = patch[0][k1], add.odd.even = patch[1][k1];
                        add.even.odd = patch[2][k1], add.odd.odd = patch[3][k1];
                        memcpy(&lo, rp, sizeof lo);
                        lo = lo + add;
                        memcpy(rp, &lo, sizeof lo);
                        add.even.even = patch[4][k1], add.odd.even = patch[5][k1];
                        add.even.odd = zero, add.odd.odd = zero;
                        memcpy(&hi, rp + 4, sizeof hi);
                        hi = hi + add;
                        memcpy(rp + 4, &hi, sizeof hi);
                    }
                }
                for (int k1 = 0; k1 < 6; k1++) {
                    float *pr = plane + (4 * i + k1) * wp;
                    const float *br = buf + k1 * wp;
                    if (k1 < 2 && i > 0) for (long x0 = 0; x0 < used; x0++) pr[x0] += br[x0];
                    else memcpy(pr, br, (size_t)used * sizeof(float));
                }
            }
            float *dst = dx + (c * P + p) * H * W;
            for (long r = 0; r < H; r++) memcpy(dst + r * W, plane + (r + 1) * wp + 1, (size_t)W * sizeof(float));
        }
    }
}

#undef QN
#undef QV
#undef QV4
#undef QLOAD_N
#undef QSTORE_N
#undef WN_LOAD
