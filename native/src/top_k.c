/*
 * The top-k mask every magnitude pruner ranks with: keep the k highest scores, ties towards the lower index,
 * NaN ranked as -inf. It gives the same mask as topKMaskJs in src/sparsity/top-k.ts, which finds the same
 * threshold (the k-th largest value, a value and not a position, so the search method cannot change it) by a
 * quickselect; here, from 2,048 scores up, a radix select finds it in three counting passes over the scores as
 * order-preserving integer keys, which takes no data-dependent branch (below that, the same quickselect in C).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

/* NaN counts as -inf and -0 as +0 (equal in every comparison the mask makes), so equal scores share one key. */
static inline float canonical(float x) { return isnan(x) ? -INFINITY : x + 0.0f; }

/* Unsigned keys in the floats' order: flip every bit of a negative, only the sign bit of a positive. */
static inline uint32_t key_of(float x) {
  uint32_t b;
  memcpy(&b, &x, sizeof b);
  return b & 0x80000000u ? ~b : b | 0x80000000u;
}

static inline float float_of(uint32_t key) {
  uint32_t b = key & 0x80000000u ? key & 0x7fffffffu : ~key;
  float x;
  memcpy(&x, &b, sizeof x);
  return x;
}

/* Digits of the key, most significant first: 11, 11 and 10 bits. */
static const int SHIFT[3] = {21, 10, 0};
static const uint32_t WIDTH[3] = {2048, 2048, 1024};

/*
 * The key of rank `target` (0-based, ascending) among keys[0..n), found digit by digit: count the digits of
 * the candidates, pick the one whose bucket holds the rank, and keep only the candidates with that digit
 * (moved to the front of `keys`, which is scratch).
 */
static uint32_t select_key(uint32_t *keys, long n, long target) {
  long counts[2048];
  uint32_t prefix = 0;
  for (int d = 0; d < 3; d++) {
    memset(counts, 0, sizeof(long) * WIDTH[d]);
    uint32_t mask = WIDTH[d] - 1;
    for (long i = 0; i < n; i++) counts[(keys[i] >> SHIFT[d]) & mask]++;
    uint32_t digit = 0;
    while (target >= counts[digit]) target -= counts[digit++];
    prefix |= digit << SHIFT[d];
    if (d == 2) break;
    long kept = 0;
    for (long i = 0; i < n; i++) {
      uint32_t k = keys[i];
      keys[kept] = k;
      kept += ((k >> SHIFT[d]) & mask) == digit;
    }
    n = kept;
  }
  return prefix;
}

static inline float median3(float x, float y, float z) {
  float lo = x < y ? x : y, hi = x < y ? y : x;
  return z < lo ? lo : z > hi ? hi : z;
}

/* The value of rank `target` (0-based, ascending) among a[0..n) (no NaN), by Hoare's quickselect; a is scratch. */
static float select_value(float *a, long n, long target) {
  long lo = 0, hi = n - 1;
  while (lo < hi) {
    float pivot = median3(a[lo], a[lo + (hi - lo) / 2], a[hi]);
    long i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        float t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}

/* Below this many scores the radix select's counting (5,120 buckets to clear and scan) costs more than it saves. */
#define RADIX_MIN 2048

/* The k-th largest of the canonical scores (1 <= k < n), NaN as -inf. Returns 0, or -1 when out of memory. */
static int kth_largest(const float *scores, long n, long k, float *out) {
  if (n < RADIX_MIN) {
    float a[RADIX_MIN];
    for (long i = 0; i < n; i++) a[i] = canonical(scores[i]);
    *out = select_value(a, n, n - k);
    return 0;
  }
  uint32_t *keys = malloc(sizeof(uint32_t) * (size_t)n);
  if (!keys) return -1;
  for (long i = 0; i < n; i++) keys[i] = key_of(canonical(scores[i]));
  *out = float_of(select_key(keys, n, n - k));
  free(keys);
  return 0;
}

int sb_top_k_mask(const float *scores, uint8_t *mask, long n, long k) {
  if (k <= 0 || k >= n) {
    memset(mask, k > 0, (size_t)n);
    return 0;
  }
  float threshold;
  if (kth_largest(scores, n, k, &threshold) != 0) return -1;
  long above = 0;
  for (long i = 0; i < n; i++) above += canonical(scores[i]) > threshold;
  long ties = k - above;
  for (long i = 0; i < n; i++) {
    float s = canonical(scores[i]);
    int tie = s == threshold && ties > 0;
    ties -= tie;
    mask[i] = (s > threshold) | tie;
  }
  return 0;
}
