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
#include <stdint.h>

/*
 * Loops outside the GEMM are plain C that GCC vectorises; on x86-64 Linux, target_clones builds an AVX-512,
 * an AVX2 and a baseline copy of each such function and picks one at load time.
 */
#if defined(__x86_64__) && defined(__linux__)
#define SB_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SB_CLONES
#endif

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
/* layer_norm.c: RMSNorm over the last axis of x [rows, cols] (no centring, no bias), and its gradient. */
void sb_rms_norm(const float *x, const float *gain, float *y, float *rstd, long rows, long cols, float eps);
void sb_rms_norm_grad(const float *dy, const float *x, const float *gain, const float *rstd, float *dx, float *dgain,
                      long rows, long cols);

/* attention.c: fused multi-head attention over heads read in place (no transposes), and its gradient. */
enum { SB_BIAS_NONE = 0, SB_BIAS_SHARED = 1, SB_BIAS_PER_HEAD = 2, SB_BIAS_PER_ITEM = 3 };

/*
 * q: [B*Tq, ldq], k, v: [B*Tk, ldk / ldv] with head h in columns [h*hd, (h+1)*hd) of each row (q, k and v may
 * point into one packed qkv matrix). bias is added to the scaled scores: none, one [Tq, Tk] tile for every
 * head (SB_BIAS_SHARED), [H, Tq, Tk] shared across the batch (SB_BIAS_PER_HEAD) or [B, H, Tq, Tk].
 */
typedef struct {
  const float *q;
  long ldq;
  const float *k;
  long ldk;
  const float *v;
  long ldv;
  const float *bias;
  int bias_mode;
  long batch, heads, tq, tk, hd;
  float scale;
} sb_attention_args;

/* Where the gradient goes: dq, dk, dv laid out like q, k, v (leading dimensions of their own); dbias like bias, or NULL. */
typedef struct {
  float *dq;
  long lddq;
  float *dk;
  long lddk;
  float *dv;
  long lddv;
  float *dbias;
} sb_attention_grads;

/* o [B*Tq, ldo] (head h in columns h*hd..) = softmax(scale · q kᵀ + bias) v; probs [B, H, Tq, Tk] keeps P. */
int sb_attention(const sb_attention_args *a, float *probs, float *o, long ldo);
/* The gradient from dout [B*Tq, lddo] and the saved probs. Every element of dq, dk, dv (and dbias) is written. */
int sb_attention_grad(const sb_attention_args *a, const float *probs, const float *dout, long lddo,
                      const sb_attention_grads *g);

/*
 * cross_entropy.c: per-row softmax cross-entropy of logits [rows, classes] against targets [rows] (nll, and
 * the log-sum-exp kept for the gradient; returns -1 when out of memory), and its gradient given dnll [rows].
 */
int sb_cross_entropy(const float *logits, const int32_t *targets, float *nll, float *lse, long rows, long classes);
void sb_cross_entropy_grad(const float *dnll, const float *logits, const int32_t *targets, const float *lse,
                           float *dlogits, long rows, long classes);

/*
 * adamw.c: one AdamW update in place, computed in double exactly as the JavaScript one in src/train/adamw.ts
 * (same operations, same order, no fused multiply-adds), so both give the same bits.
 */
void sb_adamw(float *w, const float *g, float *m, float *v, long n, double beta1, double beta2, double c1,
              double c2, double lr, double eps, double shrink, double grad_scale);

/*
 * top_k.c: mask[i] = 1 for the k highest of scores[0..n) (ties towards the lower index, NaN as -inf), else 0;
 * the same mask as topKMaskJs in src/sparsity/top-k.ts. Returns 0, or -1 when out of memory.
 */
int sb_top_k_mask(const float *scores, uint8_t *mask, long n, long k);

#ifdef __cplusplus
}
#endif

#endif
