/* Reductions along one row, shared by the softmax-shaped kernels. */
#ifndef SB_ROW_OPS_H
#define SB_ROW_OPS_H

/*
 * Row reductions in 16 independent lanes, so they vectorise without -ffast-math (a single running float
 * would be a serial dependency GCC must keep). Inlined into target_clones callers
 * (attention.c, cross_entropy.c), so each clone gets its own vector width.
 */
#define SB_LANES 16

static inline float row_max(const float *x, long n) {
  float acc[SB_LANES];
  for (int l = 0; l < SB_LANES; l++) acc[l] = -__builtin_inff();
  long j = 0;
  for (; j + SB_LANES <= n; j += SB_LANES)
    for (int l = 0; l < SB_LANES; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
  float m = -__builtin_inff();
  for (int l = 0; l < SB_LANES; l++) m = acc[l] > m ? acc[l] : m;
  for (; j < n; j++) m = x[j] > m ? x[j] : m;
  return m;
}

/* Σ x[j]·y[j] (y NULL: Σ x[j]). */
static inline float row_dot(const float *x, const float *y, long n) {
  float acc[SB_LANES] = {0};
  long j = 0;
  for (; j + SB_LANES <= n; j += SB_LANES)
    for (int l = 0; l < SB_LANES; l++) acc[l] += y ? x[j + l] * y[j + l] : x[j + l];
  float s = 0.0f;
  for (int l = 0; l < SB_LANES; l++) s += acc[l];
  for (; j < n; j++) s += y ? x[j] * y[j] : x[j];
  return s;
}

#endif
