// The layers' memory-bound passes in C, compiled per ISA like ReelKernels.h's kernels and dispatched through the same
// active ISA (reel_isa_active): im2col / col2im of 2-D convolutions, max pooling without indices, BatchNorm's
// statistics, normalisation and input gradient, and ReLU's backward mask. Each one computes exactly what the
// Swift loops it replaced did (tests compare against them under every ISA), and gives the same bits run to run.
#ifndef REEL_LAYER_KERNELS_H
#define REEL_LAYER_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// im2col of 2-D planes (dilation 1): n images of C channels, channel c's image i at x + c·cstride + i·H·W. Col row
/// (c, ky, kx) — row c·KH·KW + ky·KW + kx, at col + row·ld — holds image i's OH×OW window samples at columns
/// i·OH·OW…, zeros where a window reads padding. scratch: `reel_im2col_scratch_floats` floats, any contents.
void reel_im2col(const float *x, long cstride, long C, long n, long H, long W, long KH, long KW, long SH, long SW,
                 long PH, long PW, long DH, long DW, float *col, long ld, float *scratch);
/// The adjoint of `reel_im2col`: dx += the col rows summed back into their input positions (per input element in
/// col-row order; bit-identical to adding each row in turn when dx starts at zero).
void reel_col2im(const float *col, long ld, long C, long n, long H, long W, long KH, long KW, long SH, long SW,
                 long PH, long PW, long DH, long DW, float *dx, long cstride, float *scratch);
/// Floats of scratch `reel_im2col` and `reel_col2im` need: the stride-phase planes of one zero-padded input plane.
long reel_im2col_scratch_floats(long H, long W, long KH, long KW, long SH, long SW, long PH, long PW, long DH,
                                long DW);

/// 2-D max pooling of `planes` planes of H×W (plane p at x + p·H·W, its output at y + p·OH·OW): each output the
/// first maximum of its window in window order (rows, then columns; strict >, as PyTorch's index), padding never
/// wins, −∞ where a window is all padding; when `argmax` is not NULL, the flat in-plane input index of that maximum
/// (−1 for an all-padding window). Several output rows at a time, so their compare chains overlap; eval passes
/// NULL and skips the indices. split: `reel_maxpool_rows_split_floats` floats.
void reel_maxpool2d_rows(const float *x, long planes, long H, long W, long KH, long KW, long SH, long SW, long PH,
                         long PW, long OH, long OW, float *y, int *argmax, float *split);
long reel_maxpool_rows_split_floats(long H, long W, long KW, long SW, long PW, long OW);

/// BatchNorm's per-channel sums in double: *s = Σ d[i], *s2 = Σ d[i]·h[i] with h[i] = (x[i] − mean)·istd in float
/// (with d = x, mean 0, istd 1: Σx and Σx², each product exact). Sixteen partial sums (element i into partial
/// i mod 16), added in a fixed tree: the same bits under every ISA.
void reel_bn_sums(const float *d, const float *x, float mean, float istd, long m, double *s, double *s2);
/// y[i] = ((x[i] − mean)·istd)·g + beta (two roundings, no FMA: the Swift loop's bits); with `relu`, then ReLU as
/// Swift's max(v, 0) (NaN stays NaN, −0 becomes +0).
void reel_bn_normalize(const float *x, float mean, float istd, float g, float beta, float *y, long m, int relu);
/// out[i] = scale·((d[i] − meanDy) − h[i]·meanDyH) with h[i] = (x[i] − mean)·istd (BatchNorm's input gradient with
/// batch statistics), each operation rounded as written.
void reel_bn_input_gradient(const float *d, const float *x, float mean, float istd, float meanDy, float meanDyH,
                            float scale, float *out, long m);
/// ReLU's backward: out[i] = y[i] > 0 ? d[i] : 0.
void reel_relu_backward(const float *d, const float *y, float *out, long n);
/// The residual sum and ReLU in one pass: y[i] = max(y[i] + x[i], 0) as Swift's max (NaN stays, −0 → +0).
void reel_add_relu(const float *x, float *y, long n);

#ifdef __cplusplus
}
#endif
#endif
