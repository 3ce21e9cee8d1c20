// The per-ISA table of the layer kernels (include/ReelLayerKernels.h), beside KernelTable.h's: LayerBody.h defines
// them once, KernelsBaseline.c, KernelsAVX2.c and KernelsAVX512.c compile it, LayerDispatch.c picks the table of the
// active ISA.
#ifndef REEL_LAYER_TABLE_H
#define REEL_LAYER_TABLE_H
#include "include/ReelLayerKernels.h"

typedef struct {
    void (*im2col)(const float *x, long cstride, long C, long n, long H, long W, long KH, long KW, long SH, long SW,
                   long PH, long PW, long DH, long DW, float *col, long ld, float *scratch);
    void (*col2im)(const float *col, long ld, long C, long n, long H, long W, long KH, long KW, long SH, long SW,
                   long PH, long PW, long DH, long DW, float *dx, long cstride, float *scratch);
    void (*maxpool2d_rows)(const float *x, long planes, long H, long W, long KH, long KW, long SH, long SW, long PH,
                           long PW, long OH, long OW, float *y, int *argmax, float *split);
    void (*bn_sums)(const float *d, const float *x, float mean, float istd, long m, double *s, double *s2);
    void (*bn_normalize)(const float *x, float mean, float istd, float g, float beta, float *y, long m, int relu);
    void (*bn_input_gradient)(const float *d, const float *x, float mean, float istd, float meanDy, float meanDyH,
                              float scale, float *out, long m);
    void (*relu_backward)(const float *d, const float *y, float *out, long n);
    void (*add_relu)(const float *x, float *y, long n);
} reel_layer_table;

extern const reel_layer_table reel_layers_baseline;
#if defined(__x86_64__)
extern const reel_layer_table reel_layers_avx2;
extern const reel_layer_table reel_layers_avx512;
#endif

/// The stride-phase planes of im2col / col2im: phase (py, px) holds padded rows py, py + SH, … and columns px,
/// px + SW, …, so each tap's window is a contiguous block of rows: tap (ky, kx) reads padded row oy·SH + ky·DH, which
/// is row oy + ⌊ky·DH / SH⌋ of phase (ky·DH) mod SH. `span` = (K − 1)·D + 1 is the dilated kernel's extent; only the
/// phases a tap reads are kept (the first min(S, span)).
static inline long reel_i2c_out(long n, long span, long s, long p) { return (n + 2 * p - span) / s + 1; }
static inline long reel_i2c_phase_rows(long H, long span, long SH, long PH) {
    return reel_i2c_out(H, span, SH, PH) + (span - 1) / SH;
}
static inline long reel_i2c_phases(long span, long s) { return span < s ? span : s; }

/// Floats per phase row of the max pool's split input: a margin of PW + 1 either side, room for whole vectors past
/// the last output column.
static inline long reel_mp_phase_cols(long W, long KW, long SW, long PW, long OW) {
    const long cols = (W + SW - 1) / SW, reach = (OW + 15) / 16 * 16 + KW / SW + 1;
    return 2 * (PW + 1) + (cols > reach ? cols : reach) + 16;
}
#endif
