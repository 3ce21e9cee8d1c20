// The kernels for the target's baseline (SSE2 on x86-64): always available. 16 registers: 8 accumulators per block.
#define VLEN 4
#define XB 1
#define SUFFIX baseline
#include "KernelBody.h"
#include "PipelineBody.h"
#include "LayerBody.h"
