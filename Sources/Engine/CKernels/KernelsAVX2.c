// The kernels for AVX2 + FMA: 8-float vectors, 16 registers (8 accumulators per block).
#if defined(__x86_64__)
// Headers first: the target attribute below must reach only the kernels, not libc's declarations.
#include <string.h>
#include "KernelTable.h"
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define VLEN 8
#define XB 1
#define SUFFIX avx2
#include "KernelBody.h"
#include "PipelineBody.h"
#include "LayerBody.h"
#pragma clang attribute pop
#endif
