// The data pipeline's kernels (OpenCV's uint8 bilinear resize in its fixed-point arithmetic, and uint8 HWC → float32
// planes through a per-channel table), written once and compiled per ISA like KernelBody.h, which the including file
// has included first (VLEN, NAME). Results are integers or table entries, so every ISA gives identical bytes.
#if VLEN >= 8
#include <immintrin.h>   // included before the target pragma by the ISA file; this is a no-op
#endif

typedef int vi __attribute__((ext_vector_type(VLEN)));
typedef short vs __attribute__((ext_vector_type(VLEN)));
/// Twice as many 16-bit lanes as floats in a vector: one register.
typedef unsigned short vu16 __attribute__((ext_vector_type(2 * VLEN)));
typedef unsigned int vu32w __attribute__((ext_vector_type(2 * VLEN)));
typedef unsigned char vu8w __attribute__((ext_vector_type(2 * VLEN)));

static inline vi viload(const int *p) { vi v; memcpy(&v, p, sizeof v); return v; }

#if VLEN >= 8
/// The 4 bytes at src + idx[j] (little-endian) for each lane: the caller keeps every idx + 4 ≤ the readable length.
static inline vi NAME(gather_u32)(const unsigned char *src, vi idx) {
#if VLEN == 16
    return (vi)_mm512_i32gather_epi32((__m512i)idx, (const void *)src, 1);
#else
    return (vi)_mm256_i32gather_epi32((const int *)src, (__m256i)idx, 1);
#endif
}
#endif

/// See reel_bilinear_h in ReelKernels.h.
static void NAME(bilinear_h)(const unsigned char *src, long readable, const int *ofs, const short *wlo,
                             const short *whi, long d, long n, short *out) {
    long k = 0;
#if VLEN >= 8
    for (; k + VLEN <= n; k += VLEN) {
        vi a = viload(ofs + k);
        // Offsets run up or down (a mirrored window): lane 0 or VLEN−1 holds the largest.
        long hi = a[0] > a[VLEN - 1] ? a[0] : a[VLEN - 1];
        if (hi + d + 4 > readable) break;
        vi p, q;
        if (d <= 3) {
            // One 4-byte gather per lane holds both taps (1 and 3 channels).
            vi raw = NAME(gather_u32)(src, a);
            p = raw & 0xff;
            q = (raw >> (int)(8 * d)) & 0xff;
        } else {
            p = NAME(gather_u32)(src, a) & 0xff;
            q = NAME(gather_u32)(src, a + (int)d) & 0xff;
        }
        vs wa, wb;
        memcpy(&wa, wlo + k, sizeof wa);
        memcpy(&wb, whi + k, sizeof wb);
        vs o = __builtin_convertvector((p * __builtin_convertvector(wa, vi) + q * __builtin_convertvector(wb, vi)) >> 4, vs);
        memcpy(out + k, &o, sizeof o);
    }
#endif
    // A zero weight's partner may lie past the frame (the last pixel): not read.
    for (; k < n; k++) out[k] = (short)((src[ofs[k]] * wlo[k] + (whi[k] ? src[ofs[k] + d] * whi[k] : 0)) >> 4);
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
                               const double *affine, int swap, float *dst, long plane_stride) {
    if (affine && channels == 3 && VLEN >= 8) {
        // A multiply and an add in double (never fused, so every ISA rounds alike), then to float: loops the
        // compiler vectorises (a table lookup per value does not).
#pragma clang fp contract(off)
        const long s0 = swap ? 2 : 0, s2 = swap ? 0 : 2;
        const double a0 = affine[0], b0 = affine[1], a1 = affine[2], b1 = affine[3], a2 = affine[4], b2 = affine[5];
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
        const long sc = swap && channels == 3 ? 2 - c : c;
        float *restrict plane = dst + c * plane_stride;
        if (affine && VLEN >= 8) {
#pragma clang fp contract(off)
            const double a = affine[2 * c], b = affine[2 * c + 1];
            for (long i = 0; i < pixels; i++) plane[i] = (float)((double)src[i * channels + sc] * a + b);
        } else {
            const float *t = table + c * 256;
            for (long i = 0; i < pixels; i++) plane[i] = t[src[i * channels + sc]];
        }
    }
}
