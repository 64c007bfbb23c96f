/*
 * Fused multi-head scaled dot-product attention (Vaswani et al. 2017, arXiv:1706.03762), forward and
 * backward, reading the heads in place. Row b*T + t of q holds every head of token t of sequence b, head h in
 * columns [h*hd, (h+1)*hd); so head (b, h) is the [T, hd] matrix at q + b*T*ldq + h*hd with leading dimension
 * ldq, and the GEMM reads it with no transpose and no copy. tfjs instead reshapes and transposes q, k, v
 * to [B*H, T, hd], and the result back, in both passes; here the only intermediate is P (kept for backward).
 *
 *   S = scale · Q Kᵀ + bias,  P = softmax_rows(S),  O = P V
 *   dV = Pᵀ dO,  dP = dO Vᵀ,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),  dbias = Σ dS,  dQ = scale · dS K,
 *   dK = scale · dSᵀ Q
 */
#include <stdlib.h>

#include "fast_exp.h"
#include "gemm.h"
#include "row_ops.h"

/* The head (b, h) of a [B*T, ld] operand: rows b*T.., columns h*hd.. */
static inline const float *head_of(const float *x, long ld, long b, long t, long h, long hd) {
  return x + b * t * ld + h * hd;
}

/* Offset of head (b, h)'s [Tq, Tk] tile in a bias (or its gradient) laid out per `mode`. */
static inline long bias_offset(int mode, long heads, long tile, long b, long h) {
  return mode == SB_BIAS_PER_HEAD ? h * tile : mode == SB_BIAS_PER_ITEM ? (b * heads + h) * tile : 0;
}

/*
 * In place on s [rows, cols]: s ← softmax(scale · s + bias) along each row (bias may be NULL). Shifted by the
 * row maximum; exponents below -87.3 give 0, so a -1e9 mask entry is exactly zero as in tfjs.
 */
SB_CLONES static void softmax_rows(float *restrict s, const float *restrict bias, long rows, long cols,
                                   float scale) {
  for (long r = 0; r < rows; r++) {
    float *x = s + r * cols;
    const float *bb = bias ? bias + r * cols : NULL;
    if (bb)
      for (long j = 0; j < cols; j++) x[j] = x[j] * scale + bb[j];
    else
      for (long j = 0; j < cols; j++) x[j] *= scale;
    float mx = row_max(x, cols);
    for (long j = 0; j < cols; j++) {
      float d = x[j] - mx;
      float e = exp_approx(d < -87.3f ? -87.3f : d);
      x[j] = d < -87.3f ? 0.0f : e;
    }
    float inv = 1.0f / row_dot(x, NULL, cols);
    for (long j = 0; j < cols; j++) x[j] *= inv;
  }
}

/*
 * In place on dp [rows, cols] (the gradient of P): dp ← P ⊙ (dp − rowsum(dp ⊙ P)), the gradient of the
 * biased scores; it is added to dbias when given (copied when copy_bias), then scaled by `scale` (the gradient
 * of Q Kᵀ).
 */
SB_CLONES static void softmax_grad_rows(float *restrict dp, const float *restrict p, float *restrict dbias,
                                        int copy_bias, long rows, long cols, float scale) {
  for (long r = 0; r < rows; r++) {
    float *g = dp + r * cols;
    const float *pr = p + r * cols;
    float dot = row_dot(g, pr, cols);
    for (long j = 0; j < cols; j++) g[j] = pr[j] * (g[j] - dot);
    if (dbias) {
      float *db = dbias + r * cols;
      if (copy_bias)
        for (long j = 0; j < cols; j++) db[j] = g[j];
      else
        for (long j = 0; j < cols; j++) db[j] += g[j];
    }
    for (long j = 0; j < cols; j++) g[j] *= scale;
  }
}

/* One product C[m, n] = op(A)·op(B) with explicit leading dimensions. */
static int product(long m, long n, long k, const float *a, long lda, int ta, const float *b, long ldb, int tb,
                   float *c, long ldc) {
  sb_gemm_args g = {m, n, k, a, lda, ta, b, ldb, tb, c, ldc};
  return sb_gemm(&g);
}

int sb_attention(const sb_attention_args *a, float *probs, float *o, long ldo) {
  long tq = a->tq, tk = a->tk, hd = a->hd;
  for (long b = 0; b < a->batch; b++)
    for (long h = 0; h < a->heads; h++) {
      float *p = probs + (b * a->heads + h) * tq * tk; /* [Tq, Tk] */
      /* S = Q Kᵀ: K's head is [Tk, hd] stored row-major, i.e. op(B) = Kᵀ with trans_b */
      if (product(tq, tk, hd, head_of(a->q, a->ldq, b, tq, h, hd), a->ldq, 0,
                  head_of(a->k, a->ldk, b, tk, h, hd), a->ldk, 1, p, tk))
        return -1;
      const float *bias = a->bias ? a->bias + bias_offset(a->bias_mode, a->heads, tq * tk, b, h) : NULL;
      softmax_rows(p, bias, tq, tk, a->scale);
      /* O = P V, written straight into head h's columns of o */
      if (product(tq, hd, tk, p, tk, 0, head_of(a->v, a->ldv, b, tk, h, hd), a->ldv, 0,
                  o + b * tq * ldo + h * hd, ldo))
        return -1;
    }
  return 0;
}

int sb_attention_grad(const sb_attention_args *a, const float *probs, const float *dout, long lddo,
                      const sb_attention_grads *g) {
  long tq = a->tq, tk = a->tk, hd = a->hd, tile = tq * tk;
  float *dp = malloc((size_t)tile * sizeof(float));
  if (!dp) return -1;
  int shared = a->bias_mode == SB_BIAS_SHARED || a->bias_mode == SB_BIAS_PER_HEAD;
  if (g->dbias && shared) {
    long n = a->bias_mode == SB_BIAS_SHARED ? tile : a->heads * tile;
    for (long i = 0; i < n; i++) g->dbias[i] = 0.0f;
  }
  int status = 0;
  for (long b = 0; b < a->batch && !status; b++)
    for (long h = 0; h < a->heads && !status; h++) {
      const float *p = probs + (b * a->heads + h) * tile; /* [Tq, Tk] */
      const float *q = head_of(a->q, a->ldq, b, tq, h, hd);
      const float *k = head_of(a->k, a->ldk, b, tk, h, hd);
      const float *v = head_of(a->v, a->ldv, b, tk, h, hd);
      const float *d_o = head_of(dout, lddo, b, tq, h, hd);
      float *dbias = g->dbias ? g->dbias + bias_offset(a->bias_mode, a->heads, tile, b, h) : NULL;
      /* dV = Pᵀ dO: [Tk, hd] */
      status |= product(tk, hd, tq, p, tk, 1, d_o, lddo, 0, g->dv + b * tk * g->lddv + h * hd, g->lddv);
      /* dP = dO Vᵀ: [Tq, Tk] */
      status |= product(tq, tk, hd, d_o, lddo, 0, v, a->ldv, 1, dp, tk);
      softmax_grad_rows(dp, p, dbias, a->bias_mode == SB_BIAS_PER_ITEM, tq, tk, a->scale);
      /* dQ = dS K: [Tq, hd];  dK = dSᵀ Q: [Tk, hd] */
      status |= product(tq, hd, tk, dp, tk, 0, k, a->ldk, 0, g->dq + b * tq * g->lddq + h * hd, g->lddq);
      status |= product(tk, hd, tq, dp, tk, 1, q, a->ldq, 0, g->dk + b * tk * g->lddk + h * hd, g->lddk);
    }
  free(dp);
  return status ? -1 : 0;
}
