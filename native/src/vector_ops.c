/*
 * Memory-bound helpers the wasm backend runs slowly: tanh (the GELU of every MLP) and the sum over leading
 * axes (every bias gradient). Plain loops written so GCC vectorises them; on x86-64 Linux, target_clones
 * builds an AVX-512, an AVX2 and a baseline copy of each and picks one at load time.
 */
#include <stdint.h>
#include <string.h>

#include "gemm.h"

#if defined(__x86_64__) && defined(__linux__)
#define SB_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SB_CLONES
#endif

/* 2^y for |y| <= 13 or so: 2^round(y) from the exponent bits times a degree-6 polynomial of the rest. */
static inline float exp2_small(float y) {
  const float magic = 12582912.0f; /* 1.5 * 2^23: adding and subtracting it rounds to an integer */
  float n = (y + magic) - magic;
  float f = (y - n) * 0.69314718056f; /* e^f with |f| <= ln2 / 2 */
  float p = 1.0f + f * (1.0f + f * (0.5f + f * (1.0f / 6 + f * (1.0f / 24 + f * (1.0f / 120 + f * (1.0f / 720))))));
  int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

/*
 * tanh, accurate to about 2e-7 absolute: an odd polynomial near 0 (Cephes tanhf), else
 * 1 - 2 / (e^{2|x|} + 1) with the sign put back. Beyond |x| = 10, tanh is 1 in float.
 */
SB_CLONES void sb_tanh(const float *restrict x, float *restrict out, long n) {
  for (long i = 0; i < n; i++) {
    float v = x[i];
    float a = v < 0 ? -v : v;
    float z = v * v;
    float small =
        v + v * z *
                (((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) *
                      z -
                  3.33332819422e-1f));
    float clamped = a < 10.0f ? a : 10.0f;
    float t = 1.0f - 2.0f / (exp2_small(clamped * 2.88539008178f) + 1.0f); /* 2 / ln 2 */
    float large = v < 0 ? -t : t;
    out[i] = a < 0.625f ? small : large;
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
