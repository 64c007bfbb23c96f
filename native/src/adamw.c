/*
 * AdamW (Loshchilov & Hutter 2019, arXiv:1711.05101) over one parameter, the host-side hot loop of every
 * training step. It mirrors adamwUpdate in src/train/adamw.ts operation for operation in double precision,
 * rounding to float only where JavaScript stores into a Float32Array, and with contraction into fused
 * multiply-adds switched off, so the two produce identical bits and a trial's result does not depend on
 * whether the addon is built.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <math.h>

#include "gemm.h"

SB_CLONES void sb_adamw(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long n,
                        double beta1, double beta2, double c1, double c2, double lr, double eps, double shrink,
                        double grad_scale) {
  for (long i = 0; i < n; i++) {
    double gi = (double)g[i] * grad_scale;
    double mi = beta1 * (double)m[i] + (1 - beta1) * gi;
    double vi = beta2 * (double)v[i] + (1 - beta2) * gi * gi;
    m[i] = (float)mi;
    v[i] = (float)vi;
    w[i] = (float)((double)w[i] * shrink - (lr * (mi * c1)) / (sqrt(vi * c2) + eps));
  }
}
