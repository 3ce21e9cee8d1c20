// Reel's hot loops in C, compiled once per instruction set and chosen at run time (CPUID), the way oneDNN, ggml
// and OpenBLAS pick their kernels: the Swift code is built for the x86-64 baseline, so without this everything
// that is not a GEMM would leave AVX2/FMA and AVX-512 unused.
//
// Every entry point below dispatches through the table of the active ISA. The active ISA starts as the best one
// the CPU and OS support (capped by the environment variable REEL_ISA=baseline|avx2|avx512) and can be lowered by
// `reel_isa_set` (tests run each kernel under every ISA the machine has against a reference loop).
#ifndef REEL_KERNELS_H
#define REEL_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction sets Reel has kernels for, in increasing order.
typedef enum {
    REEL_ISA_BASELINE = 0,   ///< x86-64 baseline (SSE2), or the target's default elsewhere
    REEL_ISA_AVX2 = 1,       ///< AVX2 + FMA (Haswell, Zen)
    REEL_ISA_AVX512 = 2,     ///< AVX-512 F/BW/DQ/VL (Skylake-SP, Ice Lake, Sapphire Rapids, Zen 4/5)
} reel_isa;

/// A spin-wait hint (x86 PAUSE): lets the sibling hyperthread run and saves power while a worker polls for work.
static inline void reel_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// The best ISA this CPU and OS support (XCR0 must enable the vector state), ignoring REEL_ISA.
reel_isa reel_isa_supported(void);
/// The ISA the kernels use now.
reel_isa reel_isa_active(void);
/// Sets the active ISA; returns 0, or -1 (unchanged) when the CPU does not support it.
int reel_isa_set(reel_isa isa);
/// "baseline", "avx2" or "avx512".
const char *reel_isa_name(reel_isa isa);
/// Whether this CPU supports AVX512_BF16 (reported by `reel bench`; no kernel uses it yet).
int reel_cpu_has_avx512bf16(void);

/// y[r·ld + i] = act(y[r·ld + i] + bias[r] (+ residual[r·ldr + i])) for r < rows, i < cols: a convolution's
/// epilogue (folded BatchNorm shift, residual sum, ReLU) applied to an output block while it is in cache.
/// `bias` and `residual` may be NULL; `relu` is 0 or 1.
void reel_bias_act(float *y, long rows, long cols, long ld, const float *bias,
                   const float *residual, long ldr, int relu);

/// A direct 2-D convolution of one image (no im2col): stride s ≥ 1, dilation 1, zero padding, ungrouped.
/// x: C planes of H×W at x + c·xstride. w: the weights packed by `reel_conv_pack` for this ISA's block.
/// y: O planes of OH×OW at y + o·ystride, then the epilogue y = act(y + bias[o]) (bias may be NULL).
/// scratch: `reel_conv_scratch_floats(...)` floats (the zero-padded, stride-phase-split input).
void reel_conv_direct(const float *x, long xstride, long C, long H, long W,
                      const float *packed, long O, long KH, long KW, long stride, long pad,
                      const float *bias, int relu, float *y, long ystride, float *scratch);
/// The weight gradient of `reel_conv_direct` for one image: dw (O×C×KH×KW, PyTorch's layout) += the products of
/// dy (O planes of OH×OW at dy + o·dystride) with the input windows. scratch: `reel_conv_dw_scratch_floats` floats.
void reel_conv_direct_dw(const float *x, long xstride, long C, long H, long W, const float *dy, long dystride, long O,
                         long KH, long KW, long stride, long pad, float *dw, float *scratch);
long reel_conv_dw_scratch_floats(long C, long H, long W, long O, long KH, long KW, long stride, long pad);
/// Floats of scratch `reel_conv_direct` needs for these sizes.
long reel_conv_scratch_floats(long C, long H, long W, long KH, long KW, long stride, long pad);
/// Floats of packed weights for O×C×KH×KW weights.
long reel_conv_packed_floats(long O, long C, long KH, long KW);
/// Packs O×C×KH×KW weights (PyTorch layout), each output channel scaled by scale[o] (NULL = 1: BatchNorm folding),
/// for the active ISA's output-channel block. Pack again after `reel_isa_set`.
void reel_conv_pack(const float *w, const float *scale, long O, long C, long KH, long KW, float *packed);

/// C[M×N] = op(A)·B (beta 0) or C += op(A)·B (beta 1), row-major, B's rows contiguous (ldb ≥ N). op(A) is M×K:
/// A itself (lda ≥ K) or, with trans_a, the transpose of a K×M matrix (lda ≥ M). No packing: meant for the
/// convolutions' GEMMs, whose A (weights) is small and whose B panels stream through the cache once.
void reel_sgemm(int trans_a, long M, long N, long K, const float *a, long lda, const float *b, long ldb, float beta,
                float *c, long ldc);
/// C[M×N] = A·Bᵀ (beta 0) or C += A·Bᵀ (beta 1), row-major: A is M×K (lda ≥ K), B is N×K (ldb ≥ K). For the
/// weight gradients dW = dY·colᵀ, whose operands both run along k: B's panels are transposed into a scratch on the
/// stack (register-sized squares), then multiplied by `reel_sgemm`'s register block.
void reel_sgemm_nt(long M, long N, long K, const float *a, long lda, const float *b, long ldb, float beta, float *c,
                   long ldc);

/// One row of OpenCV's uint8 bilinear resize, horizontal pass: out[k] = (src[ofs[k]]·wlo[k] + src[ofs[k] + d]·whi[k])
/// >> 4 for k < n, with per-element (channel-expanded) byte offsets of the tap nearer the row's start, its partner d
/// bytes on (d = the channel count: neighbouring pixels), and 11-bit weights; the shift keeps the sums in 16 bits
/// (OpenCV's vertical pass reads them only so). `readable`: bytes from src that may be read (ofs[k] + d < it).
/// `plan`: what `reel_bilinear_h_plan` made of the same ofs, wlo, whi, d and n (one plan serves every row).
void reel_bilinear_h(const unsigned char *src, long readable, const int *ofs, const short *wlo, const short *whi,
                     const void *plan, long d, long n, short *out);
/// Bytes of `reel_bilinear_h_plan`'s plan for n outputs.
long reel_bilinear_h_plan_bytes(long n);
/// Works out, once for a resize's every row, each group of 4 consecutive outputs' taps as one 16-byte window of the
/// row: the window's start, a byte shuffle putting each tap in a 16-bit lane, and the weights beside them (the
/// vector kernels' multiply-add operands). A group whose taps span more than 16 bytes (a steep downscale) is
/// marked for the scalar loop. ISA-independent.
void reel_bilinear_h_plan(const int *ofs, const short *wlo, const short *whi, long d, long n, void *plan);
/// OpenCV's uint8 bilinear vertical pass: dst[k] = min(255, ((r0[k]·v0 >> 16) + (r1[k]·v1 >> 16) + 2) >> 2), with
/// r0, r1 from `reel_bilinear_h` and 11-bit weights v0, v1 (all non-negative).
void reel_bilinear_v(const short *r0, int v0, const short *r1, int v1, unsigned char *dst, long n);
/// How `reel_u8_to_planes` computes a value v of channel c.
typedef enum {
    /// table[c·256 + v].
    REEL_PIXELS_TABLE = 0,
    /// (float)(v·coef[2c] + coef[2c + 1]) in double, multiply then add (unfused).
    REEL_PIXELS_AFFINE = 1,
    /// ((float)v − (float)coef[2c]) / (float)coef[2c + 1] in float.
    REEL_PIXELS_QUOTIENT = 2,
} reel_pixel_formula;

/// uint8 HWC pixels → float32 planes, plane c at dst + c·plane_stride, by `formula` (with `coef`); the caller picks an
/// arithmetic formula only where it equals the table for all 256 values of every channel (they vectorise; the lookups
/// do not). With `swap` (3 channels only) plane 0 reads channel 2 and plane 2 channel 0.
void reel_u8_to_planes(const unsigned char *src, long pixels, long channels, const float *table,
                       reel_pixel_formula formula, const double *coef, int swap, float *dst, long plane_stride);
/// Winograd F(2×2, 3×3) activation transforms (Sources/Engine/Core/Kernels/Winograd.swift). Activations are channel
/// major: C (or O) channels of P planes of H×W each. Tiles are the 2×2 output blocks, ⌈H/2⌉·⌈W/2⌉ per plane, row
/// major; V, M and their gradients have 16 rows (ξ) of C (or O) rows of stride `ld`, one column per tile of planes
/// p0 ≤ p < p1 (plane p0's first tile at column 0). Each result is bit-identical under every ISA.
/// scratch: `reel_winograd_scratch_floats(H, W)` floats, any contents.
long reel_winograd_scratch_floats(long H, long W);
/// V[ξ][c][tile] = (Bᵀ d B)[ξ] for the 4×4 window d of each tile (zero padding of one around the plane).
void reel_winograd_input(const float *x, long C, long P, long H, long W, long p0, long p1, float *v, long ld,
                         float *scratch);
/// Each tile's 2×2 block of the O output planes of y = Aᵀ M A (M read only up to its last tile).
void reel_winograd_output(const float *m, long ld, long O, long P, long H, long W, long p0, long p1, float *y);
/// dM = A·dY·Aᵀ for each tile (the transpose of reel_winograd_output).
void reel_winograd_output_gradient(const float *dy, long O, long P, long H, long W, long p0, long p1, float *dm,
                                   long ld, float *scratch);
/// Overwrites planes p0…p1 of dx with Σ B·dV·Bᵀ over the tiles' overlapping windows (the transpose of
/// reel_winograd_input).
void reel_winograd_input_gradient(const float *dv, long ld, long C, long P, long H, long W, long p0, long p1,
                                  float *dx, float *scratch);
/// Winograd F(4×4, 3×3): the same four transforms with 4×4 output tiles (⌈H/4⌉·⌈W/4⌉ per plane) and 6×6 windows,
/// so V, M and their gradients have 36 rows (ξ = 6a + b) of C (or O) rows. scratch:
/// `reel_winograd4_scratch_floats(H, W)` floats, any contents.
long reel_winograd4_scratch_floats(long H, long W);
void reel_winograd4_input(const float *x, long C, long P, long H, long W, long p0, long p1, float *v, long ld,
                          float *scratch);
void reel_winograd4_output(const float *m, long ld, long O, long P, long H, long W, long p0, long p1, float *y);
void reel_winograd4_output_gradient(const float *dy, long O, long P, long H, long W, long p0, long p1, float *dm,
                                    long ld, float *scratch);
void reel_winograd4_input_gradient(const float *dv, long ld, long C, long P, long H, long W, long p0, long p1,
                                   float *dx, float *scratch);

#ifdef __cplusplus
}
#endif
// The channel-wise convolution's kernels (their own header).
#include "ReelDepthwise.h"
#endif
