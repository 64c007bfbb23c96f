/*
 * AVX-512 variant: 16-float vectors, an 8 x 32 register tile (16 of the 32 zmm registers hold sums).
 * 12 x 32 and 14 x 32 are as fast on large products; 8 rows divide the 64-row attention products evenly.
 */
#if defined(__x86_64__) || defined(__i386__)
#pragma GCC target("avx512f,avx512vl,avx2,fma")
#define SB_NAME(x) x##_avx512
#define SB_VLEN 16
#define SB_MR 8
#define SB_NRV 2
#include "gemm_kernel.h"
#else
#include "gemm.h"
/* Not an x86 build: the dispatcher never selects this variant. */
void sb_gemm_avx512(const sb_gemm_args *p, sb_workspace *ws) { sb_gemm_generic(p, ws); }
void sb_workspace_floats_avx512(size_t *a, size_t *b) { sb_workspace_floats_generic(a, b); }
#endif
