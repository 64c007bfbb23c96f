/*
 * Fast single-precision e^x shared by the elementwise kernels (vector_ops.c) and the fused softmax of
 * attention.c: plain arithmetic and bit moves, so GCC vectorises the loops that call it.
 */
#ifndef SB_FAST_EXP_H
#define SB_FAST_EXP_H

#include <stdint.h>
#include <string.h>

/*
 * e^x for x in [-87.3, 88]: x = n ln2 + r with n an integer and |r| <= ln2 / 2 (Cody-Waite: ln2 split in a
 * part exact in float and a remainder, so r is exact enough), e^r by a degree-6 polynomial, 2^n from the
 * exponent bits. About 1 ulp.
 */
static inline float exp_approx(float x) {
  const float magic = 12582912.0f; /* 1.5 * 2^23: adding and subtracting it rounds to an integer */
  float n = (x * 1.44269504089f + magic) - magic;
  float r = (x - n * 0.693145751953125f) - n * 1.428606765330187045e-06f;
  float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720))))));
  int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

#endif
