// im2col / col2im of 2-D convolutions (include/ReelLayerKernels.h), part of LayerBody.h: compiled per ISA with it
// (VLEN, vf, vload, vstore and NAME from KernelBody.h).

/// Copies n floats inline: window rows are 2–64 floats, where a memcpy call costs more than the copy (and clang
/// turns a plain copy loop into one).
static inline void NAME(l_copy)(float *dst, const float *src, long n) {
    long i = 0;
    for (; i + VLEN <= n; i += VLEN) vstore(dst + i, vload(src + i));
    const long r = n - i;
#if VLEN > 8
    if (r & 8) { memcpy(dst + i, src + i, 8 * sizeof(float)); i += 8; }
#endif
#if VLEN > 4
    if (r & 4) { memcpy(dst + i, src + i, 4 * sizeof(float)); i += 4; }
#endif
    if (r & 2) { memcpy(dst + i, src + i, 2 * sizeof(float)); i += 2; }
    if (r & 1) dst[i] = src[i];
}

/// dst[i] += src[i] for n floats: whole vectors, then 8- and 4-float pieces (window rows of 8 and 4 floats would
/// otherwise be scalar adds under AVX-512).
static inline void NAME(l_add)(float *restrict dst, const float *restrict src, long n) {
    typedef float l_v8 __attribute__((ext_vector_type(8)));
    typedef float l_v4 __attribute__((ext_vector_type(4)));
    long i = 0;
    for (; i + VLEN <= n; i += VLEN) vstore(dst + i, vload(dst + i) + vload(src + i));
#if VLEN > 8
    if (n - i >= 8) {
        l_v8 a, b; memcpy(&a, dst + i, sizeof a); memcpy(&b, src + i, sizeof b);
        a += b; memcpy(dst + i, &a, sizeof a); i += 8;
    }
#endif
#if VLEN > 4
    if (n - i >= 4) {
        l_v4 a, b; memcpy(&a, dst + i, sizeof a); memcpy(&b, src + i, sizeof b);
        a += b; memcpy(dst + i, &a, sizeof a); i += 4;
    }
#endif
    for (; i < n; i++) dst[i] += src[i];
}

/// The phase columns j of phase column offset `off` (input column j·SW + off) that lie inside a W-wide row.
static inline void NAME(l_valid_cols)(long W, long SW, long off, long cols, long *lo, long *hi) {
    long j0 = off >= 0 ? 0 : (-off + SW - 1) / SW;
    long j1 = W - off > 0 ? (W - off + SW - 1) / SW : 0;
    if (j1 > cols) j1 = cols;
    if (j0 > j1) j0 = j1;
    *lo = j0;
    *hi = j1;
}

/// Splits a W-wide row into its even (e) and odd (o) columns: 16 floats → 8 + 8 per step, then 8 → 4, then scalars.
static inline void NAME(l_deinterleave)(const float *row, long W, float *e, float *o) {
    typedef float v16 __attribute__((ext_vector_type(16)));
    typedef float v8 __attribute__((ext_vector_type(8)));
    typedef float v4 __attribute__((ext_vector_type(4)));
    long k = 0;
    for (; 2 * k + 16 <= W; k += 8) {
        v16 d; memcpy(&d, row + 2 * k, sizeof d);
        v8 a = d.even, b = d.odd; memcpy(e + k, &a, sizeof a); memcpy(o + k, &b, sizeof b);
    }
    for (; 2 * k + 8 <= W; k += 4) {
        v8 d; memcpy(&d, row + 2 * k, sizeof d);
        v4 a = d.even, b = d.odd; memcpy(e + k, &a, sizeof a); memcpy(o + k, &b, sizeof b);
    }
    for (; 2 * k + 1 < W; k++) { e[k] = row[2 * k]; o[k] = row[2 * k + 1]; }
    if (2 * k < W) e[k] = row[2 * k];
}

/// dx row += its even (e) and odd (o) columns interleaved back: the inverse of l_deinterleave, adding.
static inline void NAME(l_interleave_add)(float *row, long W, const float *e, const float *o) {
    typedef float v16 __attribute__((ext_vector_type(16)));
    typedef float v8 __attribute__((ext_vector_type(8)));
    long k = 0;
    for (; 2 * k + 16 <= W; k += 8) {
        v8 a, b; memcpy(&a, e + k, sizeof a); memcpy(&b, o + k, sizeof b);
        v16 d = __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15), r;
        memcpy(&r, row + 2 * k, sizeof r);
        r += d;
        memcpy(row + 2 * k, &r, sizeof r);
    }
    for (; 2 * k + 1 < W; k++) { row[2 * k] += e[k]; row[2 * k + 1] += o[k]; }
    if (2 * k < W) row[2 * k] += e[k];
}

/// Per phase column px: the input column of phase column 0 (off) and the phase columns [lo, hi) inside the row.
typedef struct { long off, lo, hi; } NAME(l_cols);

/// Writes the inside-the-plane samples of the phase planes of one input plane (positions reading padding are left
/// as they are: zero from the caller's initial clear, and no plane writes them). eo: 2·⌈W/2⌉ floats (SW = 2).
static void NAME(i2c_split)(const float *src, long H, long W, long SH, long SW, long PH, long nph, long npw,
                            const NAME(l_cols) *cols, long R, long Cc, float *ph, float *eo) {
    const long half = (W + 1) / 2;
    for (long py = 0; py < nph; py++)
        for (long r = 0; r < R; r++) {
            const long iy = r * SH + py - PH;
            if (iy < 0 || iy >= H) continue;
            const float *row = src + iy * W;
            if (SW == 2) NAME(l_deinterleave)(row, W, eo, eo + half);
            for (long px = 0; px < npw; px++) {
                float *dst = ph + ((py * npw + px) * R + r) * Cc;
                const long off = cols[px].off, lo = cols[px].lo, hi = cols[px].hi;
                if (SW == 1) NAME(l_copy)(dst + lo, row + off + lo, hi - lo);
                else if (SW == 2) {
                    // Input column 2j + off: the even half when off is even, else the odd one.
                    const long parity = off & 1, shift = (off - parity) / 2;
                    NAME(l_copy)(dst + lo, eo + parity * half + shift + lo, hi - lo);
                } else for (long j = lo; j < hi; j++) dst[j] = row[j * SW + off];
            }
        }
}

/// The per-call geometry both directions share: phase column ranges and each tap's offset in the phase planes.
#define I2C_SETUP                                                                                                  \
    const long spanH = (KH - 1) * DH + 1, spanW = (KW - 1) * DW + 1;                                                \
    const long OH = reel_i2c_out(H, spanH, SH, PH), OW = reel_i2c_out(W, spanW, SW, PW);                            \
    const long R = reel_i2c_phase_rows(H, spanH, SH, PH), Cc = reel_i2c_phase_rows(W, spanW, SW, PW);                \
    const long nph = reel_i2c_phases(spanH, SH), npw = reel_i2c_phases(spanW, SW), kk = KH * KW, op = OH * OW;      \
    NAME(l_cols) cols[npw];                                                                                         \
    for (long px = 0; px < npw; px++) {                                                                             \
        cols[px].off = px - PW;                                                                                     \
        NAME(l_valid_cols)(W, SW, cols[px].off, Cc, &cols[px].lo, &cols[px].hi);                                    \
    }                                                                                                               \
    long tap_at[kk];                                                                                                \
    for (long ky = 0; ky < KH; ky++)                                                                                \
        for (long kx = 0; kx < KW; kx++) {                                                                          \
            const long ty = ky * DH, tx = kx * DW;                                                                  \
            tap_at[ky * KW + kx] = (((ty % SH) * npw + tx % SW) * R + ty / SH) * Cc + tx / SW;                      \
        }                                                                                                           \
    const long planeFloats = nph * npw * R * Cc;                                                                    \
    float *eo = scratch + planeFloats;

static void NAME(im2col)(const float *x, long cstride, long C, long n, long H, long W, long KH, long KW, long SH, long SW,
                         long PH, long PW, long DH, long DW, float *col, long ld, float *scratch) {
    I2C_SETUP
    memset(scratch, 0, (size_t)planeFloats * sizeof(float));
    for (long c = 0; c < C; c++)
        for (long i = 0; i < n; i++) {
            NAME(i2c_split)(x + c * cstride + i * H * W, H, W, SH, SW, PH, nph, npw, cols, R, Cc, scratch, eo);
            float *base = col + c * kk * ld + i * op;
            for (long t = 0; t < kk; t++) {
                const float *src = scratch + tap_at[t];
                float *dst = base + t * ld;
                if (Cc == OW) NAME(l_copy)(dst, src, op);
                else for (long oy = 0; oy < OH; oy++) NAME(l_copy)(dst + oy * OW, src + oy * Cc, OW);
            }
        }
}

static void NAME(col2im)(const float *col, long ld, long C, long n, long H, long W, long KH, long KW, long SH, long SW,
                         long PH, long PW, long DH, long DW, float *dx, long cstride, float *scratch) {
    I2C_SETUP
    const long half = (W + 1) / 2;
    for (long c = 0; c < C; c++)
        for (long i = 0; i < n; i++) {
            // Each input element's contributions summed in col-row order from zero, then added to dx once.
            memset(scratch, 0, (size_t)planeFloats * sizeof(float));
            const float *base = col + c * kk * ld + i * op;
            for (long t = 0; t < kk; t++) {
                float *dst = scratch + tap_at[t];
                const float *src = base + t * ld;
                if (Cc == OW) NAME(l_add)(dst, src, op);
                else for (long oy = 0; oy < OH; oy++) NAME(l_add)(dst + oy * Cc, src + oy * OW, OW);
            }
            float *plane = dx + c * cstride + i * H * W;
            for (long py = 0; py < nph; py++)
                for (long r = 0; r < R; r++) {
                    const long iy = r * SH + py - PH;
                    if (iy < 0 || iy >= H) continue;
                    float *row = plane + iy * W;
                    if (SW == 2) {
                        // Phase rows → the row's even and odd halves (zero where no phase reaches), added interleaved.
                        memset(eo, 0, (size_t)(2 * half) * sizeof(float));
                        for (long px = 0; px < npw; px++) {
                            const long off = cols[px].off, lo = cols[px].lo, hi = cols[px].hi;
                            const long parity = off & 1, shift = (off - parity) / 2;
                            NAME(l_copy)(eo + parity * half + shift + lo, scratch + ((py * npw + px) * R + r) * Cc + lo,
                                         hi - lo);
                        }
                        NAME(l_interleave_add)(row, W, eo, eo + half);
                        continue;
                    }
                    for (long px = 0; px < npw; px++) {
                        const float *s = scratch + ((py * npw + px) * R + r) * Cc;
                        const long off = cols[px].off, lo = cols[px].lo, hi = cols[px].hi;
                        if (SW == 1) NAME(l_add)(row + off + lo, s + lo, hi - lo);
                        else for (long j = lo; j < hi; j++) row[j * SW + off] += s[j];
                    }
                }
        }
}
