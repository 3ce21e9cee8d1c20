// Run-time choice of the kernel table: CPUID for what the CPU has, XGETBV for what the OS saves on a context switch
// (a CPU may support AVX-512 under an OS or hypervisor that does not enable its state).
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "KernelTable.h"
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#if defined(__x86_64__)
static unsigned long long xcr0(void) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}
#endif

reel_isa reel_isa_supported(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return REEL_ISA_BASELINE;
    const int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !avx) return REEL_ISA_BASELINE;
    const unsigned long long xcr = xcr0();
    if ((xcr & 0x6) != 0x6) return REEL_ISA_BASELINE;            // XMM and YMM state
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return REEL_ISA_BASELINE;
    const int avx2 = (b >> 5) & 1;
    const int avx512 = ((b >> 16) & 1) && ((b >> 17) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);   // F, DQ, BW, VL
    if (!avx2 || !fma) return REEL_ISA_BASELINE;
    if (avx512 && (xcr & 0xE0) == 0xE0) return REEL_ISA_AVX512;   // opmask, ZMM_Hi256, Hi16_ZMM state
    return REEL_ISA_AVX2;
#else
    return REEL_ISA_BASELINE;
#endif
}

int reel_cpu_has_avx512bf16(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (reel_isa_supported() < REEL_ISA_AVX512 || !__get_cpuid_count(7, 1, &a, &b, &c, &d)) return 0;
    return (a >> 5) & 1;
#else
    return 0;
#endif
}

const char *reel_isa_name(reel_isa isa) {
    switch (isa) {
    case REEL_ISA_AVX2: return "avx2";
    case REEL_ISA_AVX512: return "avx512";
    default: return "baseline";
    }
}

/// -1 until first use; then the active reel_isa.
static _Atomic int active = -1;

static reel_isa initial_isa(void) {
    reel_isa best = reel_isa_supported();
    const char *env = getenv("REEL_ISA");
    if (env) {
        for (int i = REEL_ISA_BASELINE; i <= REEL_ISA_AVX512; i++)
            if (strcmp(env, reel_isa_name((reel_isa)i)) == 0 && (reel_isa)i < best) best = (reel_isa)i;
    }
    return best;
}

reel_isa reel_isa_active(void) {
    int isa = atomic_load_explicit(&active, memory_order_relaxed);
    if (isa < 0) {
        isa = (int)initial_isa();
        atomic_store_explicit(&active, isa, memory_order_relaxed);
    }
    return (reel_isa)isa;
}

int reel_isa_set(reel_isa isa) {
    if (isa < REEL_ISA_BASELINE || isa > reel_isa_supported()) return -1;
    atomic_store_explicit(&active, (int)isa, memory_order_relaxed);
    return 0;
}

static const reel_kernel_table *table(void) {
    switch (reel_isa_active()) {
#if defined(__x86_64__)
    case REEL_ISA_AVX512: return &reel_kernels_avx512;
    case REEL_ISA_AVX2: return &reel_kernels_avx2;
#endif
    default: return &reel_kernels_baseline;
    }
}

void reel_bias_act(float *y, long rows, long cols, long ld, const float *bias, const float *residual, long ldr, int relu) {
    table()->bias_act(y, rows, cols, ld, bias, residual, ldr, relu);
}

void reel_conv_direct(const float *x, long xstride, long C, long H, long W, const float *packed, long O, long KH, long KW,
                      long stride, long pad, const float *bias, int relu, float *y, long ystride, float *scratch) {
    table()->conv_direct(x, xstride, C, H, W, packed, O, KH, KW, stride, pad, bias, relu, y, ystride, scratch);
}

void reel_sgemm(int trans_a, long M, long N, long K, const float *a, long lda, const float *b, long ldb, float beta,
                float *c, long ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        if (beta == 0.0f) for (long m = 0; m < M; m++) memset(c + m * ldc, 0, (size_t)N * sizeof(float));
        return;
    }
    table()->sgemm(M, N, K, a, trans_a ? 1 : lda, trans_a ? lda : 1, b, ldb, beta, c, ldc);
}

void reel_sgemm_nt(long M, long N, long K, const float *a, long lda, const float *b, long ldb, float beta, float *c,
                   long ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        if (beta == 0.0f) for (long m = 0; m < M; m++) memset(c + m * ldc, 0, (size_t)N * sizeof(float));
        return;
    }
    table()->sgemm_nt(M, N, K, a, lda, b, ldb, beta, c, ldc);
}

void reel_conv_direct_dw(const float *x, long xstride, long C, long H, long W, const float *dy, long dystride, long O,
                         long KH, long KW, long stride, long pad, float *dw, float *scratch) {
    table()->conv_direct_dw(x, xstride, C, H, W, dy, dystride, O, KH, KW, stride, pad, dw, scratch);
}

long reel_conv_dw_scratch_floats(long C, long H, long W, long O, long KH, long KW, long stride, long pad) {
    const long ow = reel_conv_out(W, KW, stride, pad), oh = reel_conv_out(H, KH, stride, pad);
    const long row = (ow + REEL_CONV_DW_VMAX - 1) / REEL_CONV_DW_VMAX * REEL_CONV_DW_VMAX;
    return reel_conv_scratch_floats(C, H, W, KH, KW, stride, pad) + O * oh * row;
}

long reel_conv_scratch_floats(long C, long H, long W, long KH, long KW, long stride, long pad) {
    return C * stride * stride * reel_conv_phase_rows(H, KH, stride, pad) * reel_conv_phase_cols(W, KW, stride, pad);
}

long reel_conv_packed_floats(long O, long C, long KH, long KW) {
    return (O + REEL_CONV_OB - 1) / REEL_CONV_OB * REEL_CONV_OB * C * KH * KW;
}

void reel_conv_pack(const float *w, const float *scale, long O, long C, long KH, long KW, float *packed) {
    // packed[block][c][ky][kx][o mod OB]: one tap's OB output channels side by side (zeros past O).
    const long taps = C * KH * KW, blocks = (O + REEL_CONV_OB - 1) / REEL_CONV_OB;
    for (long b = 0; b < blocks; b++)
        for (long t = 0; t < taps; t++)
            for (long j = 0; j < REEL_CONV_OB; j++) {
                long o = b * REEL_CONV_OB + j;
                packed[(b * taps + t) * REEL_CONV_OB + j] = o < O ? w[o * taps + t] * (scale ? scale[o] : 1.0f) : 0.0f;
            }
}

void reel_bilinear_h(const unsigned char *src, long readable, const int *ofs, const short *wlo, const short *whi,
                     const void *plan, long d, long n, short *out) {
    table()->bilinear_h(src, readable, ofs, wlo, whi, plan, d, n, out);
}

long reel_bilinear_h_plan_bytes(long n) { return (n / 4) * (16 + 16 + 4); }

void reel_bilinear_h_plan(const int *ofs, const short *wlo, const short *whi, long d, long n, void *plan) {
    // Laid out as the kernels read it: the groups' shuffles (16 bytes each), their weights (8 shorts: wlo, whi per
    // output), their windows' starts (int; −1 = the scalar loop).
    const long groups = n / 4;
    unsigned char *masks = plan;
    short *weights = (short *)(masks + 16 * groups);
    int *starts = (int *)(weights + 8 * groups);
    for (long g = 0; g < groups; g++) {
        const long k0 = 4 * g;
        long lo = ofs[k0], hi = 0;
        for (long j = 0; j < 4; j++) lo = ofs[k0 + j] < lo ? ofs[k0 + j] : lo;
        for (long j = 0; j < 4; j++) {
            const long k = k0 + j;
            // A zero-weight partner is not read (it may lie past the frame): its lane is a shuffle zero.
            const long last = whi[k] ? ofs[k] + d : ofs[k];
            hi = last > hi ? last : hi;
            masks[16 * g + 4 * j] = (unsigned char)(ofs[k] - lo);
            masks[16 * g + 4 * j + 1] = 0x80;
            masks[16 * g + 4 * j + 2] = whi[k] ? (unsigned char)(ofs[k] + d - lo) : 0x80;
            masks[16 * g + 4 * j + 3] = 0x80;
            weights[8 * g + 2 * j] = wlo[k];
            weights[8 * g + 2 * j + 1] = whi[k];
        }
        starts[g] = hi - lo < 16 ? (int)lo : -1;
    }
}

void reel_bilinear_v(const short *r0, int v0, const short *r1, int v1, unsigned char *dst, long n) {
    table()->bilinear_v(r0, v0, r1, v1, dst, n);
}

void reel_u8_to_planes(const unsigned char *src, long pixels, long channels, const float *table_,
                       reel_pixel_formula formula, const double *coef, int swap, float *dst, long plane_stride) {
    table()->u8_to_planes(src, pixels, channels, table_, formula, coef, swap, dst, plane_stride);
}

long reel_winograd_scratch_floats(long H, long W) {
    const long plane = reel_wino_padded_height(H) * reel_wino_padded_width(W), patches = 16 * reel_wino_patch_row(H, W);
    return plane > patches ? plane : patches;
}

void reel_winograd_input(const float *x, long C, long P, long H, long W, long p0, long p1, float *v, long ld,
                         float *scratch) {
    table()->wino_input(x, C, P, H, W, p0, p1, v, ld, scratch);
}

void reel_winograd_output(const float *m, long ld, long O, long P, long H, long W, long p0, long p1, float *y) {
    table()->wino_output(m, ld, O, P, H, W, p0, p1, y);
}

void reel_winograd_output_gradient(const float *dy, long O, long P, long H, long W, long p0, long p1, float *dm,
                                   long ld, float *scratch) {
    table()->wino_output_gradient(dy, O, P, H, W, p0, p1, dm, ld, scratch);
}

void reel_winograd_input_gradient(const float *dv, long ld, long C, long P, long H, long W, long p0, long p1,
                                  float *dx, float *scratch) {
    table()->wino_input_gradient(dv, ld, C, P, H, W, p0, p1, dx, scratch);
}

long reel_winograd4_scratch_floats(long H, long W) {
    // The padded plane (4·tile rows + 2) and the input gradient's six-row buffer after it.
    return (4 * ((H + 3) / 4) + 8) * reel_wino4_padded_width(W);
}

void reel_winograd4_input(const float *x, long C, long P, long H, long W, long p0, long p1, float *v, long ld,
                          float *scratch) {
    table()->wino4_input(x, C, P, H, W, p0, p1, v, ld, scratch);
}

void reel_winograd4_output(const float *m, long ld, long O, long P, long H, long W, long p0, long p1, float *y) {
    table()->wino4_output(m, ld, O, P, H, W, p0, p1, y);
}

void reel_winograd4_output_gradient(const float *dy, long O, long P, long H, long W, long p0, long p1, float *dm,
                                    long ld, float *scratch) {
    table()->wino4_output_gradient(dy, O, P, H, W, p0, p1, dm, ld, scratch);
}

void reel_winograd4_input_gradient(const float *dv, long ld, long C, long P, long H, long W, long p0, long p1,
                                   float *dx, float *scratch) {
    table()->wino4_input_gradient(dv, ld, C, P, H, W, p0, p1, dx, scratch);
}
