// The data pipeline's kernels (OpenCV's uint8 bilinear resize in its fixed-point arithmetic, and uint8 HWC → float32
// planes through a per-channel table), written once and compiled per ISA like KernelBody.h, which the including file
// has included first (VLEN, NAME). Results are integers or table entries, so every ISA gives identical bytes.
#if VLEN >= 8
#include <immintrin.h>   // included before the target pragma by the ISA file; this is a no-op
#endif

/// Twice as many 16-bit lanes as floats in a vector: one register.
typedef unsigned short vu16 __attribute__((ext_vector_type(2 * VLEN)));
typedef unsigned int vu32w __attribute__((ext_vector_type(2 * VLEN)));
typedef unsigned char vu8w __attribute__((ext_vector_type(2 * VLEN)));

/// out[k] for k0 ≤ k < k1, one at a time (the scalar form every path shares).
static inline void NAME(bilinear_h_scalar)(const unsigned char *src, const int *ofs, const short *wlo, const short *whi,
                                           long d, long k0, long k1, short *out) {
    // A zero weight's partner may lie past the frame (the last pixel): not read.
    for (long k = k0; k < k1; k++) out[k] = (short)((src[ofs[k]] * wlo[k] + (whi[k] ? src[ofs[k] + d] * whi[k] : 0)) >> 4);
}

/// See reel_bilinear_h in ReelKernels.h.
static void NAME(bilinear_h)(const unsigned char *src, long readable, const int *ofs, const short *wlo,
                             const short *whi, const void *plan, long d, long n, short *out) {
    long k = 0;
#if VLEN >= 8
    {
        // Two groups of 4 outputs a step: each group's 16-byte window of the row (one load per 128-bit half), its
        // taps picked out as 16-bit pairs (p, q) by one byte shuffle, p·wlo + q·whi by one multiply-add. No gathers
        // (a vpgatherdd costs several times this on some cores).
        const long groups = n / 4;
        const unsigned char *masks = plan;
        const short *weights = (const short *)(masks + 16 * groups);
        const int *starts = (const int *)(weights + 8 * groups);
        long g = 0;
        for (; g + 2 <= groups; g += 2) {
            const int b0 = starts[g], b1 = starts[g + 1];
            if (b0 < 0 || b1 < 0 || b0 + 16 > readable || b1 + 16 > readable) {
                NAME(bilinear_h_scalar)(src, ofs, wlo, whi, d, 4 * g, 4 * g + 8, out);
                continue;
            }
            __m256i raw = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(src + b0))),
                                                  _mm_loadu_si128((const __m128i *)(src + b1)), 1);
            __m256i pairs = _mm256_shuffle_epi8(raw, _mm256_loadu_si256((const __m256i *)(masks + 16 * g)));
            __m256i sums = _mm256_srai_epi32(_mm256_madd_epi16(pairs, _mm256_loadu_si256((const __m256i *)(weights + 8 * g))), 4);
            // Every sum is ≤ 255·2049 >> 4: the saturating pack is exact.
            __m128i o = _mm_packs_epi32(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1));
            _mm_storeu_si128((__m128i *)(out + 4 * g), o);
        }
        if (g < groups && starts[g] >= 0 && starts[g] + 16 <= readable) {   // an odd last group: one half
            __m128i pairs = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(src + starts[g])),
                                             _mm_loadu_si128((const __m128i *)(masks + 16 * g)));
            __m128i sums = _mm_srai_epi32(_mm_madd_epi16(pairs, _mm_loadu_si128((const __m128i *)(weights + 8 * g))), 4);
            _mm_storel_epi64((__m128i *)(out + 4 * g), _mm_packs_epi32(sums, sums));
            g++;
        }
        k = 4 * g;
    }
#else
    (void)plan; (void)readable;
#endif
    NAME(bilinear_h_scalar)(src, ofs, wlo, whi, d, k, n, out);
}

/// See reel_bilinear_v in ReelKernels.h.
static void NAME(bilinear_v)(const short *r0, int v0, const short *r1, int v1, unsigned char *dst, long n) {
    const vu32w w0 = (unsigned)v0, w1 = (unsigned)v1;
    long k = 0;
    for (; k + 2 * VLEN <= n; k += 2 * VLEN) {
        vu16 a, b;
        memcpy(&a, r0 + k, sizeof a);
        memcpy(&b, r1 + k, sizeof b);
        // Unsigned 16 × 16 → high 16 (every operand is non-negative): one pmulhuw per product.
        vu16 t0 = __builtin_convertvector((__builtin_convertvector(a, vu32w) * w0) >> 16, vu16);
        vu16 t1 = __builtin_convertvector((__builtin_convertvector(b, vu32w) * w1) >> 16, vu16);
        vu16 c = (t0 + t1 + 2) >> 2;
        c = c > 255 ? (vu16)255 : c;
        vu8w o = __builtin_convertvector(c, vu8w);
        memcpy(dst + k, &o, sizeof o);
    }
    for (; k < n; k++) {
        int s = ((r0[k] * v0) >> 16) + ((r1[k] * v1) >> 16) + 2;
        s >>= 2;
        dst[k] = (unsigned char)(s > 255 ? 255 : s);
    }
}

/// See reel_u8_to_planes in ReelKernels.h.
static void NAME(u8_to_planes)(const unsigned char *src, long pixels, long channels, const float *table,
                               reel_pixel_formula formula, const double *coef, int swap, float *dst, long plane_stride) {
    // Never fused: every ISA rounds the arithmetic formulas alike.
#pragma clang fp contract(off)
    // The arithmetic formulas on vector ISAs only: loops the compiler vectorises (a table lookup per value does not).
    if (VLEN < 8) formula = REEL_PIXELS_TABLE;
    const long s0 = swap && channels == 3 ? 2 : 0, s2 = swap && channels == 3 ? 0 : 2;
    if (formula == REEL_PIXELS_QUOTIENT && channels == 3) {
        // A subtraction and a division in float.
        const float m0 = (float)coef[0], d0 = (float)coef[1], m1 = (float)coef[2], d1 = (float)coef[3];
        const float m2 = (float)coef[4], d2 = (float)coef[5];
        float *restrict p0 = dst, *restrict p1 = dst + plane_stride, *restrict p2 = dst + 2 * plane_stride;
        for (long i = 0; i < pixels; i++) {
            const unsigned char *p = src + 3 * i;
            p0[i] = ((float)p[s0] - m0) / d0;
            p1[i] = ((float)p[1] - m1) / d1;
            p2[i] = ((float)p[s2] - m2) / d2;
        }
        return;
    }
    if (formula == REEL_PIXELS_AFFINE && channels == 3) {
        // A multiply and an add in double, then to float.
        const double a0 = coef[0], b0 = coef[1], a1 = coef[2], b1 = coef[3], a2 = coef[4], b2 = coef[5];
        float *restrict p0 = dst, *restrict p1 = dst + plane_stride, *restrict p2 = dst + 2 * plane_stride;
        for (long i = 0; i < pixels; i++) {
            const unsigned char *p = src + 3 * i;
            p0[i] = (float)((double)p[s0] * a0 + b0);
            p1[i] = (float)((double)p[1] * a1 + b1);
            p2[i] = (float)((double)p[s2] * a2 + b2);
        }
        return;
    }
    for (long c = 0; c < channels; c++) {
        // Plane c reads channel 2−c when `swap` swaps R and B.
        const long sc = c == 0 ? s0 : c == 2 ? s2 : c;
        float *restrict plane = dst + c * plane_stride;
        if (formula == REEL_PIXELS_QUOTIENT) {
            const float m = (float)coef[2 * c], d = (float)coef[2 * c + 1];
            for (long i = 0; i < pixels; i++) plane[i] = ((float)src[i * channels + sc] - m) / d;
        } else if (formula == REEL_PIXELS_AFFINE) {
            const double a = coef[2 * c], b = coef[2 * c + 1];
            for (long i = 0; i < pixels; i++) plane[i] = (float)((double)src[i * channels + sc] * a + b);
        } else {
            const float *t = table + c * 256;
            for (long i = 0; i < pixels; i++) plane[i] = t[src[i * channels + sc]];
        }
    }
}
