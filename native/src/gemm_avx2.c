/* AVX2 + FMA variant: 8-float vectors, a 6 x 16 register tile (12 of the 16 ymm registers hold sums). */
#if defined(__x86_64__) || defined(__i386__)
#pragma GCC target("avx2,fma")
#define SB_NAME(x) x##_avx2
#define SB_VLEN 8
#define SB_MR 6
#define SB_NRV 2
/*
 * K slices of 512, not 256: in training the operands come from memory, and on an AVX2-only AMD EPYC (Zen, 32 KB
 * L1d, 512 KB L2) the products with K of 384-512 ran at 67-70 GFLOP/s in two slices against 84-86 in one
 * (bench/gemm-step.ts); the other products did not move. A 512 x 16 B panel (32 KB) still streams well.
 */
#define SB_KC 512
#include "gemm_kernel.h"
#else
#include "gemm.h"
/* Not an x86 build: the dispatcher never selects this variant. */
void sb_gemm_avx2(const sb_gemm_args *p, sb_workspace *ws) { sb_gemm_generic(p, ws); }
void sb_workspace_floats_avx2(size_t *a, size_t *b) { sb_workspace_floats_generic(a, b); }
#endif
