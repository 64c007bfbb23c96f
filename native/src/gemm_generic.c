/*
 * Portable variant: 4-float vectors, which every target maps to its baseline SIMD (SSE2 on x86-64, NEON on
 * arm64) or to scalar code; a 4 x 8 register tile.
 */
#define SB_NAME(x) x##_generic
#define SB_VLEN 4
#define SB_MR 4
#define SB_NRV 2
#include "gemm_kernel.h"
