// Channel-wise (depthwise) convolution: groups == in channels == out channels, each channel convolved with its own
// KT×KH×KW filter (CSN's 3×3×3 'ir' conv, X3D's channel-wise 3×3×3 and its (5, 1, 1) stem conv; 2-D with T = KT = 1).
// As im2col + one GEMM per group it would run GEMMs of a single output row and K = 27: this direct kernel reads each
// input once per tap from cache instead. Dispatched to the active ISA like the rest of ReelKernels.h.
#ifndef REEL_DEPTHWISE_H
#define REEL_DEPTHWISE_H

#ifdef __cplusplus
extern "C" {
#endif

/// One channel's volume and filter geometry: input T×H×W, kernel, stride and zero padding per dimension (dilation 1).
typedef struct {
    long T, H, W;
    long KT, KH, KW;
    long ST, SH, SW;
    long PT, PH, PW;
} reel_dw_shape;

/// Floats of scratch `reel_dwconv_forward` and `reel_dwconv_backward` need for `shape` (any contents on entry).
long reel_dwconv_scratch_floats(const reel_dw_shape *shape);
/// y (OT×OH×OW) = the cross-correlation of one channel's zero-padded volume x (T×H×W) with its filter w (KT×KH×KW).
void reel_dwconv_forward(const reel_dw_shape *shape, const float *x, const float *w, float *y, float *scratch);
/// For dy (OT×OH×OW), the gradient of `reel_dwconv_forward`: dx (T×H×W) is overwritten unless NULL; dw (KT×KH×KW)
/// is added to unless NULL.
void reel_dwconv_backward(const reel_dw_shape *shape, const float *x, const float *w, const float *dy, float *dx,
                          float *dw, float *scratch);

#ifdef __cplusplus
}
#endif
#endif
