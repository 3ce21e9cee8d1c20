// The channel-wise (depthwise) 3-D convolution's per-ISA entry points and scratch geometry (private to the target).
// DepthwiseBody.h defines the kernels once; KernelBody.h includes it, so each Kernels<ISA>.c compiles it for its ISA.
#ifndef REEL_DEPTHWISE_TABLE_H
#define REEL_DEPTHWISE_TABLE_H
#include "include/ReelDepthwise.h"

/// The most floats any ISA's depthwise kernel computes per register block (4 vectors of 16): buffers and margins are
/// sized for it, so the scratch size does not depend on the ISA.
#define REEL_DW_CHUNK_MAX 64

typedef struct {
    void (*forward)(const reel_dw_shape *s, const float *x, const float *w, float *y, float *scratch);
    void (*backward)(const reel_dw_shape *s, const float *x, const float *w, const float *dy, float *dx, float *dw,
                     float *scratch);
} reel_depthwise_table;

extern const reel_depthwise_table reel_depthwise_baseline;
#if defined(__x86_64__)
extern const reel_depthwise_table reel_depthwise_avx2;
extern const reel_depthwise_table reel_depthwise_avx512;
#endif

static inline long reel_dw_out(long n, long k, long s, long p) { return (n + 2 * p - k) / s + 1; }
static inline long reel_dw_round(long n, long m) { return (n + m - 1) / m * m; }

/// The layout every kernel of a shape shares. The input's frames are split into SH·SW phase planes of PR×PC (phase
/// (py, px), row q, column q' holds the zero-padded input at (q·SH + py, q'·SW + px)), so each tap of a strided
/// convolution reads a contiguous run; outputs are computed PC wide (the columns past OW are discarded, and kept
/// zero where dy is laid out the same way).
typedef struct {
    long OT, OH, OW, PR, PC;
    long plane;        // PR·PC
    long xframe;       // floats per input frame of phase planes, margin included
    long front;        // zeros before each dy frame: the furthest a tap reaches back
    long dyframe;      // floats per dy frame (front margin, OH rows of PC, zeros to cover every gather)
    long buffer;       // one frame of outputs (or of one phase's input gradient), PC wide, rounded up
} reel_dw_layout;

static inline reel_dw_layout reel_dw_layout_of(const reel_dw_shape *s) {
    reel_dw_layout l;
    l.OT = reel_dw_out(s->T, s->KT, s->ST, s->PT);
    l.OH = reel_dw_out(s->H, s->KH, s->SH, s->PH);
    l.OW = reel_dw_out(s->W, s->KW, s->SW, s->PW);
    // Rows and columns enough for every tap of every output, and for every input row and column (the input gradient
    // is read back from the same planes).
    const long rows = l.OH + (s->KH - 1) / s->SH, cols = l.OW + (s->KW - 1) / s->SW;
    const long inRows = (s->H + 2 * s->PH + s->SH - 1) / s->SH, inCols = (s->W + 2 * s->PW + s->SW - 1) / s->SW;
    l.PR = rows > inRows ? rows : inRows;
    l.PC = cols > inCols ? cols : inCols;
    l.plane = l.PR * l.PC;
    l.xframe = s->SH * s->SW * l.plane + 2 * REEL_DW_CHUNK_MAX;
    l.front = ((s->KH - 1) / s->SH) * l.PC + (s->KW - 1) / s->SW;
    l.dyframe = l.front + reel_dw_round(l.plane, REEL_DW_CHUNK_MAX) + 2 * REEL_DW_CHUNK_MAX;
    l.buffer = reel_dw_round(l.plane, REEL_DW_CHUNK_MAX) + REEL_DW_CHUNK_MAX;
    return l;
}
#endif
