// The layer kernels' entry points (include/ReelLayerKernels.h): each dispatches to the table of the active ISA, the
// one Dispatch.c chose for the other kernels.
#include "LayerTable.h"
#include "include/ReelKernels.h"

static const reel_layer_table *layers(void) {
    switch (reel_isa_active()) {
#if defined(__x86_64__)
    case REEL_ISA_AVX512: return &reel_layers_avx512;
    case REEL_ISA_AVX2: return &reel_layers_avx2;
#endif
    default: return &reel_layers_baseline;
    }
}

long reel_im2col_scratch_floats(long H, long W, long KH, long KW, long SH, long SW, long PH, long PW, long DH,
                                long DW) {
    const long sh = (KH - 1) * DH + 1, sw = (KW - 1) * DW + 1;
    // The phase planes, then one row's even and odd halves (stride 2).
    return reel_i2c_phases(sh, SH) * reel_i2c_phases(sw, SW) * reel_i2c_phase_rows(H, sh, SH, PH)
        * reel_i2c_phase_rows(W, sw, SW, PW) + 2 * ((W + 1) / 2);
}

void reel_im2col(const float *x, long cstride, long C, long n, long H, long W, long KH, long KW, long SH, long SW,
                 long PH, long PW, long DH, long DW, float *col, long ld, float *scratch) {
    layers()->im2col(x, cstride, C, n, H, W, KH, KW, SH, SW, PH, PW, DH, DW, col, ld, scratch);
}

void reel_col2im(const float *col, long ld, long C, long n, long H, long W, long KH, long KW, long SH, long SW,
                 long PH, long PW, long DH, long DW, float *dx, long cstride, float *scratch) {
    layers()->col2im(col, ld, C, n, H, W, KH, KW, SH, SW, PH, PW, DH, DW, dx, cstride, scratch);
}

void reel_maxpool2d_rows(const float *x, long planes, long H, long W, long KH, long KW, long SH, long SW, long PH,
                         long PW, long OH, long OW, float *y, int *argmax, float *split) {
    layers()->maxpool2d_rows(x, planes, H, W, KH, KW, SH, SW, PH, PW, OH, OW, y, argmax, split);
}

long reel_maxpool_rows_split_floats(long H, long W, long KW, long SW, long PW, long OW) {
    return H * SW * reel_mp_phase_cols(W, KW, SW, PW, OW);
}

void reel_bn_sums(const float *d, const float *x, float mean, float istd, long m, double *s, double *s2) {
    layers()->bn_sums(d, x, mean, istd, m, s, s2);
}

void reel_bn_normalize(const float *x, float mean, float istd, float g, float beta, float *y, long m, int relu) {
    layers()->bn_normalize(x, mean, istd, g, beta, y, m, relu);
}

void reel_bn_input_gradient(const float *d, const float *x, float mean, float istd, float meanDy, float meanDyH,
                            float scale, float *out, long m) {
    layers()->bn_input_gradient(d, x, mean, istd, meanDy, meanDyH, scale, out, m);
}

void reel_relu_backward(const float *d, const float *y, float *out, long n) {
    layers()->relu_backward(d, y, out, n);
}

void reel_add_relu(const float *x, float *y, long n) { layers()->add_relu(x, y, n); }
