/*
 * Memory-bound helpers the wasm backend runs slowly: tanh, exp, GELU and its gradient (fused, so one pass
 * instead of a dozen elementwise ops) and the sum over leading axes (every bias gradient). Plain loops written so GCC vectorises them; on x86-64 Linux, target_clones
 * builds an AVX-512, an AVX2 and a baseline copy of each and picks one at load time.
 */
#include <stdint.h>
#include <string.h>

#include "fast_exp.h"
#include "gemm.h"

/*
 * tanh, accurate to about 2e-7 absolute: an odd polynomial near 0 (Cephes tanhf), else
 * 1 - 2 / (e^{2|x|} + 1) with the sign put back. Beyond |x| = 10, tanh is 1 in float.
 */
static inline float tanh_approx(float v) {
  float a = v < 0 ? -v : v;
  float z = v * v;
  float small =
      v + v * z *
              (((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) *
                    z -
                3.33332819422e-1f));
  float clamped = a < 10.0f ? a : 10.0f;
  float t = 1.0f - 2.0f / (exp_approx(2.0f * clamped) + 1.0f);
  float large = v < 0 ? -t : t;
  return a < 0.625f ? small : large;
}

SB_CLONES void sb_tanh(const float *restrict x, float *restrict out, long n) {
  for (long i = 0; i < n; i++) out[i] = tanh_approx(x[i]);
}

/*
 * e^x: 0 below -87.3 (where float would go subnormal), +inf past ln(FLT_MAX) = 88.72, NaN kept. The clamp
 * keeps 2^n within the normal exponent range of the bit trick in exp_approx; above 88 it takes two factors.
 */
SB_CLONES void sb_exp(const float *restrict x, float *restrict out, long n) {
  for (long i = 0; i < n; i++) {
    float v = x[i];
    float c = v < -87.3f ? -87.3f : v > 88.0f ? 88.0f : v;
    float e = exp_approx(c);
    e = v < -87.3f ? 0.0f : e;
    e = v > 89.0f ? __builtin_inff() : v > 88.0f ? e * exp_approx(v - 88.0f) : e; /* inf past 88.72 */
    out[i] = v != v ? v : e;
  }
}

#define GELU_C 0.7978845608f /* sqrt(2 / pi) */
#define GELU_A 0.044715f

/* GELU, tanh form (Hendrycks & Gimpel 2016): 0.5 x (1 + tanh(c (x + a x^3))). */
SB_CLONES void sb_gelu(const float *restrict x, float *restrict out, long n) {
  for (long i = 0; i < n; i++) {
    float v = x[i];
    float t = tanh_approx(GELU_C * (v + GELU_A * v * v * v));
    out[i] = 0.5f * v * (1.0f + t);
  }
}

/* dx = dy * d gelu / dx = dy * (0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2)), t as in sb_gelu. */
SB_CLONES void sb_gelu_grad(const float *restrict dy, const float *restrict x, float *restrict dx, long n) {
  for (long i = 0; i < n; i++) {
    float v = x[i];
    float t = tanh_approx(GELU_C * (v + GELU_A * v * v * v));
    float du = GELU_C * (1.0f + 3.0f * GELU_A * v * v);
    dx[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * du);
  }
}

/* out[j] = sum over r of x[r, j] for x [rows, cols]: row by row, so every pass is a contiguous stream. */
SB_CLONES void sb_sum_rows(const float *restrict x, float *restrict out, long rows, long cols) {
  for (long j = 0; j < cols; j++) out[j] = 0.0f;
  for (long r = 0; r < rows; r++) {
    const float *row = x + r * cols;
    for (long j = 0; j < cols; j++) out[j] += row[j];
  }
}
