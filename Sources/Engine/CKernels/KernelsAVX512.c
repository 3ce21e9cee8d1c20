// The kernels for AVX-512 (F/BW/DQ/VL): 16-float vectors, 32 registers (16 accumulators per block).
#if defined(__x86_64__)
// Headers first: the target attribute below must reach only the kernels, not libc's declarations.
#include <string.h>
#include "KernelTable.h"
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#define VLEN 16
#define XB 2
#define SUFFIX avx512
#include "KernelBody.h"
#include "PipelineBody.h"
#include "LayerBody.h"
#pragma clang attribute pop
#endif
