// The per-ISA table of kernel entry points (private to the target). KernelBody.h defines the kernels once;
// KernelsBaseline.c, KernelsAVX2.c and KernelsAVX512.c compile it for their instruction set.
#ifndef REEL_KERNEL_TABLE_H
#define REEL_KERNEL_TABLE_H
#include "include/ReelKernels.h"

/// Output channels per block of the direct convolution, the same for every ISA so packed weights do not depend on it.
#define REEL_CONV_OB 8
/// Widest vector row (floats) any ISA's direct convolution computes at once: scratch rows are padded to it.
#define REEL_CONV_XMAX 32
/// Widest vector (floats) any ISA's direct weight gradient uses: its scratch copy of dy pads each row to a multiple of
/// it, so the scratch size does not depend on the ISA (every ISA's vector width must divide it).
#define REEL_CONV_DW_VMAX 16

/// Rows of A per register block of the small-matrix sgemm, and products per pass (a B panel of KC rows stays in L1).
#define REEL_GEMM_MB 8
#define REEL_GEMM_KC 256

typedef struct {
    void (*bias_act)(float *y, long rows, long cols, long ld, const float *bias, const float *residual, long ldr, int relu);
    void (*conv_direct)(const float *x, long xstride, long C, long H, long W, const float *packed, long O, long KH,
                        long KW, long stride, long pad, const float *bias, int relu, float *y, long ystride,
                        float *scratch);
    void (*conv_direct_dw)(const float *x, long xstride, long C, long H, long W, const float *dy, long dystride, long O,
                           long KH, long KW, long stride, long pad, float *dw, float *scratch);
    void (*sgemm)(long M, long N, long K, const float *a, long ams, long aks, const float *b, long ldb, float beta,
                  float *c, long ldc);
    void (*bilinear_h)(const unsigned char *src, long readable, const int *ofs, const short *wlo, const short *whi,
                       const void *plan, long d, long n, short *out);
    void (*bilinear_v)(const short *r0, int v0, const short *r1, int v1, unsigned char *dst, long n);
    void (*u8_to_planes)(const unsigned char *src, long pixels, long channels, const float *table,
                         reel_pixel_formula formula, const double *coef, int swap, float *dst, long plane_stride);
    void (*wino_input)(const float *x, long C, long P, long H, long W, long p0, long p1, float *v, long ld,
                       float *scratch);
    void (*wino_output)(const float *m, long ld, long O, long P, long H, long W, long p0, long p1, float *y);
    void (*wino_output_gradient)(const float *dy, long O, long P, long H, long W, long p0, long p1, float *dm, long ld,
                                 float *scratch);
    void (*wino_input_gradient)(const float *dv, long ld, long C, long P, long H, long W, long p0, long p1, float *dx,
                                float *scratch);
    void (*sgemm_nt)(long M, long N, long K, const float *a, long lda, const float *b, long ldb, float beta, float *c,
                     long ldc);
    void (*wino4_input)(const float *x, long C, long P, long H, long W, long p0, long p1, float *v, long ld,
                        float *scratch);
    void (*wino4_output)(const float *m, long ld, long O, long P, long H, long W, long p0, long p1, float *y);
    void (*wino4_output_gradient)(const float *dy, long O, long P, long H, long W, long p0, long p1, float *dm, long ld,
                                  float *scratch);
    void (*wino4_input_gradient)(const float *dv, long ld, long C, long P, long H, long W, long p0, long p1, float *dx,
                                 float *scratch);
} reel_kernel_table;

extern const reel_kernel_table reel_kernels_baseline;
#if defined(__x86_64__)
extern const reel_kernel_table reel_kernels_avx2;
extern const reel_kernel_table reel_kernels_avx512;
#endif

/// Geometry of the direct convolution's scratch: stride×stride phase planes of PH×PW per input channel.
static inline long reel_conv_out(long n, long k, long stride, long pad) { return (n + 2 * pad - k) / stride + 1; }
static inline long reel_conv_phase_rows(long H, long KH, long stride, long pad) {
    return reel_conv_out(H, KH, stride, pad) + (KH - 1) / stride;
}
static inline long reel_conv_phase_cols(long W, long KW, long stride, long pad) {
    long ow = reel_conv_out(W, KW, stride, pad);
    return (ow + REEL_CONV_XMAX - 1) / REEL_CONV_XMAX * REEL_CONV_XMAX + (KW - 1) / stride;
}
/// Widest vector (floats) any ISA's Winograd transforms use: scratch is sized for it, so it does not depend on the ISA.
#define REEL_WINO_VMAX 16
/// The Winograd scratch plane: 2·tiles + 2 rows; columns for window loads of 2·REEL_WINO_VMAX floats from any tile.
static inline long reel_wino_padded_width(long W) { return 2 * ((W + 1) / 2) + 2 * REEL_WINO_VMAX + 2; }
static inline long reel_wino_padded_height(long H) { return 2 * ((H + 1) / 2) + 2; }
/// One row of the input gradient's per-tile patches: a plane's tiles with REEL_WINO_VMAX + 1 zeros either side.
static inline long reel_wino_patch_row(long H, long W) { return (H + 1) / 2 * ((W + 1) / 2) + 2 * REEL_WINO_VMAX + 2; }
/// F(4×4, 3×3)'s scratch rows: 4·tiles + 4 columns, and room for loads of 4·REEL_WINO_VMAX floats from any tile.
static inline long reel_wino4_padded_width(long W) { return 4 * ((W + 3) / 4) + 4 * REEL_WINO_VMAX + 4; }
#endif
