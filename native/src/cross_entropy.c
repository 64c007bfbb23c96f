/*
 * Softmax cross-entropy of logits [R, V] against integer targets [R], per row, and its gradient, in one pass
 * each instead of tfjs's log-softmax, one-hot, product, sum and their gradients:
 *   lse_r = log Σ_j e^{x_rj},  nll_r = lse_r − x_r,t_r,  ∂nll_r/∂x_rj = softmax(x_r)_j − [j = t_r].
 * A target outside [0, V) picks nothing, as tfjs's one-hot does: its nll and gradient are 0.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "fast_exp.h"
#include "gemm.h"
#include "row_ops.h"

/* e^{x − shift} for a whole row, 0 where the exponent is below −87.3 (as in the fused softmax). */
static inline void shifted_exp(const float *x, float *out, long n, float shift) {
  for (long j = 0; j < n; j++) {
    float d = x[j] - shift;
    float e = exp_approx(d < -87.3f ? -87.3f : d);
    out[j] = d < -87.3f ? 0.0f : e;
  }
}

SB_CLONES int sb_cross_entropy(const float *restrict logits, const int32_t *restrict targets, float *restrict nll,
                               float *restrict lse, long rows, long classes) {
  float *e = malloc((size_t)(classes > 0 ? classes : 1) * sizeof(float));
  if (!e) return -1;
  for (long r = 0; r < rows; r++) {
    const float *x = logits + r * classes;
    float mx = row_max(x, classes);
    shifted_exp(x, e, classes, mx);
    float l = mx + logf(row_dot(e, NULL, classes));
    long t = targets[r];
    lse[r] = l;
    nll[r] = t >= 0 && t < classes ? l - x[t] : 0.0f;
  }
  free(e);
  return 0;
}

SB_CLONES void sb_cross_entropy_grad(const float *restrict dnll, const float *restrict logits,
                                     const int32_t *restrict targets, const float *restrict lse,
                                     float *restrict dlogits, long rows, long classes) {
  for (long r = 0; r < rows; r++) {
    float *g = dlogits + r * classes;
    long t = targets[r];
    if (!(t >= 0 && t < classes)) {
      for (long j = 0; j < classes; j++) g[j] = 0.0f;
      continue;
    }
    shifted_exp(logits + r * classes, g, classes, lse[r]);
    float d = dnll[r];
    for (long j = 0; j < classes; j++) g[j] *= d;
    g[t] -= d;
  }
}
