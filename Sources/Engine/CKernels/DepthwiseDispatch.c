// The channel-wise convolution's entry points: the active ISA's kernels (Dispatch.c chooses the ISA).
#include "DepthwiseTable.h"
#include "include/ReelKernels.h"

static const reel_depthwise_table *depthwise(void) {
    switch (reel_isa_active()) {
#if defined(__x86_64__)
    case REEL_ISA_AVX512: return &reel_depthwise_avx512;
    case REEL_ISA_AVX2: return &reel_depthwise_avx2;
#endif
    default: return &reel_depthwise_baseline;
    }
}

long reel_dwconv_scratch_floats(const reel_dw_shape *shape) {
    const reel_dw_layout l = reel_dw_layout_of(shape);
    return shape->T * l.xframe + l.OT * l.dyframe + l.buffer;
}

void reel_dwconv_forward(const reel_dw_shape *shape, const float *x, const float *w, float *y, float *scratch) {
    depthwise()->forward(shape, x, w, y, scratch);
}

void reel_dwconv_backward(const reel_dw_shape *shape, const float *x, const float *w, const float *dy, float *dx,
                          float *dw, float *scratch) {
    depthwise()->backward(shape, x, w, dy, dx, dw, scratch);
}
