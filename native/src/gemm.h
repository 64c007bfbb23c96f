/*
 * The addon's C interface: the GEMM and its dispatcher, then the elementwise and layer-norm helpers.
 *
 * Single-precision GEMM for sparsebench: C = op(A) · op(B), row-major, no alpha/beta (C is overwritten).
 *
 * op(A) is [M, K]: A is stored [M, K] (lda = K) or, when transposed, [K, M] (lda = M).
 * op(B) is [K, N]: B is stored [K, N] (ldb = N) or, when transposed, [N, K] (ldb = K).
 * C is [M, N] with ldc = N.
 */
#ifndef SB_GEMM_H
#define SB_GEMM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One problem: sizes, operands with their leading dimensions and transpose flags, and the output. */
typedef struct {
  long m, n, k;
  const float *a;
  long lda;
  int trans_a;
  const float *b;
  long ldb;
  int trans_b;
  float *c;
  long ldc;
} sb_gemm_args;

/*
 * Per-thread scratch for the packed panels. Each ISA variant states how many floats it needs
 * (sb_<isa>_workspace_floats); the dispatcher allocates them once per thread slot and keeps them.
 */
typedef struct {
  float *pack_a;
  float *pack_b;
} sb_workspace;

/* One GEMM variant per instruction set; all share gemm_kernel.h and differ only in vector width and tile. */
void sb_gemm_avx512(const sb_gemm_args *p, sb_workspace *ws);
void sb_gemm_avx2(const sb_gemm_args *p, sb_workspace *ws);
void sb_gemm_generic(const sb_gemm_args *p, sb_workspace *ws);
void sb_workspace_floats_avx512(size_t *a, size_t *b);
void sb_workspace_floats_avx2(size_t *a, size_t *b);
void sb_workspace_floats_generic(size_t *a, size_t *b);

/* The dispatcher (dispatch.c): picks the variant at run time and optionally splits work over threads. */
const char *sb_isa_name(void);
int sb_threads(void);
void sb_set_threads(int n);

/* C = op(A) · op(B) for one problem. Returns 0, or -1 when scratch memory could not be allocated. */
int sb_gemm(const sb_gemm_args *p);

/*
 * `batch` independent problems of the same sizes. Operand i starts at a + i * stride_a (and so on);
 * a stride of 0 broadcasts one operand over the batch.
 */
int sb_gemm_batched(const sb_gemm_args *p, long batch, long stride_a, long stride_b, long stride_c);

/* vector_ops.c: elementwise tanh, exp, GELU and its gradient; out[j] = sum over rows of x[r, j]. */
void sb_tanh(const float *x, float *out, long n);
void sb_exp(const float *x, float *out, long n);
void sb_gelu(const float *x, float *out, long n);
void sb_gelu_grad(const float *dy, const float *x, float *dx, long n);
void sb_sum_rows(const float *x, float *out, long rows, long cols);

/* layer_norm.c: layer normalisation over the last axis of x [rows, cols], and its gradient. */
void sb_layer_norm(const float *x, const float *gain, const float *bias, float *y, float *mean, float *rstd,
                   long rows, long cols, float eps);
void sb_layer_norm_grad(const float *dy, const float *x, const float *gain, const float *mean, const float *rstd,
                        float *dx, float *dgain, float *dbias, long rows, long cols);

#ifdef __cplusplus
}
#endif

#endif
