/*
 * Layer normalisation over the last axis (Ba et al. 2016) in one pass per row, forward and backward,
 * instead of the ~15 tfjs ops (moments, subtract, rsqrt, scale, shift and their gradients) per call; and
 * RMSNorm, its uncentred form without a bias.
 * Row sums accumulate in double, so the statistics are at least as accurate as tfjs's float32 ones.
 */
#include <math.h>

#include "gemm.h"

/* Independent double accumulators per row sum: one running double is a serial chain of adds (~4 cycles
   each) that GCC may not reorder; eight lanes vectorise, and each lane is still summed in double. */
#define LN_LANES 8

/* Σ x[j] in double. */
static inline double sum_d(const float *restrict x, long n) {
  double acc[LN_LANES] = {0};
  long j = 0;
  for (; j + LN_LANES <= n; j += LN_LANES)
    for (int l = 0; l < LN_LANES; l++) acc[l] += x[j + l];
  double s = 0;
  for (int l = 0; l < LN_LANES; l++) s += acc[l];
  for (; j < n; j++) s += x[j];
  return s;
}

/* Σ (x[j] - m)^2 in double, each difference rounded to float first (as the forward pass uses it). */
static inline double sum_sq_dev_d(const float *restrict x, float m, long n) {
  double acc[LN_LANES] = {0};
  long j = 0;
  for (; j + LN_LANES <= n; j += LN_LANES)
    for (int l = 0; l < LN_LANES; l++) {
      float d = x[j + l] - m;
      acc[l] += (double)d * d;
    }
  double s = 0;
  for (int l = 0; l < LN_LANES; l++) s += acc[l];
  for (; j < n; j++) {
    float d = x[j] - m;
    s += (double)d * d;
  }
  return s;
}

/*
 * x: [rows, cols] → y = (x - mean) * rstd * gain + bias, with per-row mean and rstd = 1 / sqrt(var + eps)
 * (biased variance, as tf.moments) written out for the backward pass.
 */
SB_CLONES void sb_layer_norm(const float *restrict x, const float *restrict gain, const float *restrict bias,
                             float *restrict y, float *restrict mean, float *restrict rstd, long rows, long cols,
                             float eps) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    float m = (float)(sum_d(xr, cols) / (double)cols);
    double v = sum_sq_dev_d(xr, m, cols);
    float rs = (float)(1.0 / sqrt(v / (double)cols + (double)eps));
    for (long j = 0; j < cols; j++) yr[j] = (xr[j] - m) * rs * gain[j] + bias[j];
    mean[r] = m;
    rstd[r] = rs;
  }
}

/*
 * The gradient of sb_layer_norm. With xhat = (x - mean) * rstd and g = dy * gain, per row:
 *   dx = rstd * (g - mean(g) - xhat * mean(g * xhat));
 * over all rows: dgain = sum(dy * xhat), dbias = sum(dy).
 */
SB_CLONES void sb_layer_norm_grad(const float *restrict dy, const float *restrict x, const float *restrict gain,
                                  const float *restrict mean, const float *restrict rstd, float *restrict dx,
                                  float *restrict dgain, float *restrict dbias, long rows, long cols) {
  for (long j = 0; j < cols; j++) dgain[j] = dbias[j] = 0.0f;
  for (long r = 0; r < rows; r++) {
    const float *dyr = dy + r * cols, *xr = x + r * cols;
    float *dxr = dx + r * cols;
    float m = mean[r], rs = rstd[r];
    double sg_l[LN_LANES] = {0}, sgx_l[LN_LANES] = {0};
    long j = 0;
    for (; j + LN_LANES <= cols; j += LN_LANES)
      for (int l = 0; l < LN_LANES; l++) {
        float xh = (xr[j + l] - m) * rs;
        float g = dyr[j + l] * gain[j + l];
        sg_l[l] += g;
        sgx_l[l] += (double)g * xh;
        dgain[j + l] += dyr[j + l] * xh;
        dbias[j + l] += dyr[j + l];
      }
    double sg = 0, sgx = 0;
    for (int l = 0; l < LN_LANES; l++) sg += sg_l[l], sgx += sgx_l[l];
    for (; j < cols; j++) {
      float xh = (xr[j] - m) * rs;
      float g = dyr[j] * gain[j];
      sg += g;
      sgx += (double)g * xh;
      dgain[j] += dyr[j] * xh;
      dbias[j] += dyr[j];
    }
    float mg = (float)(sg / (double)cols), mgx = (float)(sgx / (double)cols);
    for (long j = 0; j < cols; j++) {
      float xh = (xr[j] - m) * rs;
      dxr[j] = rs * (dyr[j] * gain[j] - mg - xh * mgx);
    }
  }
}

/*
 * RMSNorm (Zhang & Sennrich 2019, arXiv:1910.07467), T5's norm: y = x * rstd * gain with per-row
 * rstd = 1 / sqrt(mean(x^2) + eps), written out for the backward pass. Layer norm without the centring
 * and the bias.
 */
SB_CLONES void sb_rms_norm(const float *restrict x, const float *restrict gain, float *restrict y,
                           float *restrict rstd, long rows, long cols, float eps) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    float rs = (float)(1.0 / sqrt(sum_sq_dev_d(xr, 0.0f, cols) / (double)cols + (double)eps));
    for (long j = 0; j < cols; j++) yr[j] = xr[j] * rs * gain[j];
    rstd[r] = rs;
  }
}

/*
 * The gradient of sb_rms_norm. With xhat = x * rstd and g = dy * gain, per row:
 *   dx = rstd * (g - xhat * mean(g * xhat));
 * over all rows: dgain = sum(dy * xhat).
 */
SB_CLONES void sb_rms_norm_grad(const float *restrict dy, const float *restrict x, const float *restrict gain,
                                const float *restrict rstd, float *restrict dx, float *restrict dgain, long rows,
                                long cols) {
  for (long j = 0; j < cols; j++) dgain[j] = 0.0f;
  for (long r = 0; r < rows; r++) {
    const float *dyr = dy + r * cols, *xr = x + r * cols;
    float *dxr = dx + r * cols;
    float rs = rstd[r];
    double sgx_l[LN_LANES] = {0};
    long j = 0;
    for (; j + LN_LANES <= cols; j += LN_LANES)
      for (int l = 0; l < LN_LANES; l++) {
        float xh = xr[j + l] * rs;
        sgx_l[l] += (double)(dyr[j + l] * gain[j + l]) * xh;
        dgain[j + l] += dyr[j + l] * xh;
      }
    double sgx = 0;
    for (int l = 0; l < LN_LANES; l++) sgx += sgx_l[l];
    for (; j < cols; j++) {
      float xh = xr[j] * rs;
      sgx += (double)(dyr[j] * gain[j]) * xh;
      dgain[j] += dyr[j] * xh;
    }
    float mgx = (float)(sgx / (double)cols);
    for (j = 0; j < cols; j++) dxr[j] = rs * (dyr[j] * gain[j] - xr[j] * rs * mgx);
  }
}
