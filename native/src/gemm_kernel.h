/*
 * The blocked, packed GEMM, written once and compiled per instruction set (gemm_avx512.c, gemm_avx2.c,
 * gemm_generic.c). Before including, a variant defines:
 *   SB_NAME(x)  how to name its functions (e.g. x##_avx512)
 *   SB_VLEN     floats per vector register (16, 8, 4)
 *   SB_MR       rows of the register tile
 *   SB_NRV      vectors per row of the register tile (NR = SB_NRV * SB_VLEN columns)
 *
 * Blocking, after Goto & van de Geijn, "Anatomy of high-performance matrix multiplication" (2008) and BLIS:
 *
 *   for jc over N in steps of NC            B block [KC, NC] is packed once and read from L2/L3
 *     for pc over K in steps of KC
 *       pack op(B)[pc:pc+KC, jc:jc+NC] into column panels of NR: [NC/NR][KC][NR]
 *       for ic over M in steps of MC        A block [MC, KC] is packed and stays in L2
 *         pack op(A)[ic:ic+MC, pc:pc+KC] into row panels of MR: [MC/MR][KC][MR]
 *         for jr over NC in steps of NR     one B panel [KC, NR] stays in L1 while ...
 *           for ir over MC in steps of MR   ... every A panel of the block streams past it
 *             micro-kernel: C[MR, NR] (+)= Apanel[KC, MR]ᵀ · Bpanel[KC, NR], accumulated in registers
 *
 * Packing is also where the transposes disappear: whatever the layout of A and B, the micro-kernel reads
 * both panels contiguously. Edge tiles are packed with zeros and computed into a small buffer, of which only
 * the valid part is written to C; an edge at most one vector wide computes only that vector (and a whole
 * MR x VLEN tile goes straight to C).
 */
#include <string.h>

#include "gemm.h"

#define SB_NR (SB_NRV * SB_VLEN)
/* A variant may set its own depth of a K slice before including this file. */
#ifndef SB_KC
#define SB_KC 256
#endif
#define SB_MC (SB_MR * 16)
#define SB_NC 4096
/* How many rows ahead the transposed-A packing prefetches, and floats per 64-byte cache line. */
#define SB_PREFETCH_ROWS 4
#define SB_LINE_FLOATS 16

typedef float SB_NAME(vec) __attribute__((vector_size(SB_VLEN * 4), aligned(SB_VLEN * 4)));
/* The same vector type with 4-byte alignment, for loads and stores to C, which has no alignment. */
typedef float SB_NAME(uvec) __attribute__((vector_size(SB_VLEN * 4), aligned(4)));
#define vec SB_NAME(vec)
#define uvec SB_NAME(uvec)

static inline long SB_NAME(min_l)(long x, long y) { return x < y ? x : y; }

/* Scratch sizes in floats: one packed A block and one packed B block (rounded up to whole panels). */
void SB_NAME(sb_workspace_floats)(size_t *a, size_t *b) {
  *a = (size_t)SB_MC * SB_KC;
  *b = (size_t)SB_KC * ((SB_NC + SB_NR - 1) / SB_NR) * SB_NR;
}

/* Packing transposes 8 x 8 blocks in registers where a variant has 8-float vectors or wider (with 4-float
   vectors the 8-wide shuffles cost more than the scalar copy they replace). */
#define SB_TRANSPOSE8 (SB_VLEN >= 8)
#if SB_TRANSPOSE8
typedef float SB_NAME(v8) __attribute__((vector_size(32), aligned(32)));
typedef float SB_NAME(uv8) __attribute__((vector_size(32), aligned(4)));
typedef int SB_NAME(i8) __attribute__((vector_size(32)));

/*
 * Eight rows of a row-major matrix (row r at s + r * ld), columns [0, kc), transposed into dst[k * stride + r]
 * (r < 8; dst 32-byte aligned, stride a multiple of 8). Blocks of 8 x 8 are loaded a row at a time and
 * transposed in registers (unpack, shuffle, swap halves: 24 shuffles per 64 floats), so the source is read
 * with wide loads instead of one float at a time; the last kc % 8 columns one by one.
 */
static void SB_NAME(transpose8)(const float *s, long ld, long kc, float *dst, long stride) {
  typedef SB_NAME(v8) v8;
  typedef SB_NAME(i8) i8;
  dst = __builtin_assume_aligned(dst, 32);
  long k = 0;
  for (; k + 8 <= kc; k += 8) {
    v8 r[8], t[8], u[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++) r[i] = *(const SB_NAME(uv8) *)(s + i * ld + k);
#pragma GCC unroll 4
    for (int i = 0; i < 8; i += 2) { /* t: rows i and i+1 interleaved within each 128-bit half */
      t[i] = __builtin_shuffle(r[i], r[i + 1], (i8){0, 8, 1, 9, 4, 12, 5, 13});
      t[i + 1] = __builtin_shuffle(r[i], r[i + 1], (i8){2, 10, 3, 11, 6, 14, 7, 15});
    }
#pragma GCC unroll 2
    for (int h = 0; h < 8; h += 4) { /* u: four rows per 128-bit half */
      u[h] = __builtin_shuffle(t[h], t[h + 2], (i8){0, 1, 8, 9, 4, 5, 12, 13});
      u[h + 1] = __builtin_shuffle(t[h], t[h + 2], (i8){2, 3, 10, 11, 6, 7, 14, 15});
      u[h + 2] = __builtin_shuffle(t[h + 1], t[h + 3], (i8){0, 1, 8, 9, 4, 5, 12, 13});
      u[h + 3] = __builtin_shuffle(t[h + 1], t[h + 3], (i8){2, 3, 10, 11, 6, 7, 14, 15});
    }
    /* column j of the block: the low halves of u[j] and u[j+4] (j < 4), or their high halves (j >= 4) */
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
      *(v8 *)(dst + (k + j) * stride) = __builtin_shuffle(u[j], u[j + 4], (i8){0, 1, 2, 3, 8, 9, 10, 11});
      *(v8 *)(dst + (k + j + 4) * stride) = __builtin_shuffle(u[j], u[j + 4], (i8){4, 5, 6, 7, 12, 13, 14, 15});
    }
  }
  for (; k < kc; k++)
    for (int r = 0; r < 8; r++) dst[k * stride + r] = s[r * ld + k];
}
#endif

/*
 * Rows [0, rows) of a row-major matrix (row r at s + r * ld), columns [0, kc), into one panel stored k-major,
 * dst[k * width + r], its rows [rows, width) zero: an A panel (A stored [M, K], width MR) or a B panel (B stored
 * [N, K], width NR). Whole groups of 8 rows are transposed in registers where the variant can.
 */
static void SB_NAME(pack_rows)(const float *s, long ld, long rows, long kc, float *dst, long width) {
  long r = 0;
#if SB_TRANSPOSE8
  if (width % 8 == 0)
    for (; r + 8 <= rows; r += 8) SB_NAME(transpose8)(s + r * ld, ld, kc, dst + r, width);
#endif
  for (; r < width; r++) {
    if (r < rows) {
      const float *sr = s + r * ld;
      for (long k = 0; k < kc; k++) dst[k * width + r] = sr[k];
    } else {
      for (long k = 0; k < kc; k++) dst[k * width + r] = 0.0f;
    }
  }
}

/* op(A)[i0:i0+mc, k0:k0+kc] → panels of MR rows, each stored k-major: dst[panel][k][r]. */
static void SB_NAME(pack_a)(const sb_gemm_args *p, long i0, long mc, long k0, long kc, float *dst) {
  if (p->trans_a) {
    /* A is [K, M]: row k of every panel is in row k0 + k of A, so read A's rows once, in order, and deal
       each into the panels (reading one panel at a time would stride through A once per panel). */
    for (long k = 0; k < kc; k++) {
      const float *s = p->a + (k0 + k) * p->lda + i0;
      /* rows of A far apart (ld = M): ask for row k + 4 now, or the copy waits on memory each row (the
         weight-gradient products ran ~12% faster on operands not in cache). Every line of the row's stretch,
         including its last when the stretch does not start on a line; nothing past the last row of A. */
      if (k0 + k + SB_PREFETCH_ROWS < p->k) {
        const float *ahead = s + SB_PREFETCH_ROWS * p->lda;
        for (long q = 0; q < mc; q += SB_LINE_FLOATS) __builtin_prefetch(ahead + q);
        __builtin_prefetch(ahead + mc - 1);
      }
      for (long ip = 0; ip < mc; ip += SB_MR) {
        long rows = SB_NAME(min_l)(SB_MR, mc - ip);
        float *d = dst + ip * kc + k * SB_MR;
        long r = 0;
        for (; r < rows; r++) d[r] = s[ip + r];
        for (; r < SB_MR; r++) d[r] = 0.0f;
      }
    }
    return;
  }
  /* A is [M, K]: each panel's rows transposed into it */
  for (long ip = 0; ip < mc; ip += SB_MR)
    SB_NAME(pack_rows)(p->a + (i0 + ip) * p->lda + k0, p->lda, SB_NAME(min_l)(SB_MR, mc - ip), kc, dst + ip * kc,
                       SB_MR);
}

/* op(B)[k0:k0+kc, j0:j0+nc] → panels of NR columns, each stored k-major: dst[panel][k][c]. */
static void SB_NAME(pack_b)(const sb_gemm_args *p, long k0, long kc, long j0, long nc, float *dst) {
  if (!p->trans_b) {
    /* B is [K, N]: row k of every panel is in row k0 + k of B, so read B's rows once, in order, and deal
       each into the panels. Reading one panel at a time strided through B once per panel, which made the
       weight-gradient products ~1.25x slower (small M: the packed B block is used by few rows of A). */
    for (long k = 0; k < kc; k++) {
      const float *s = p->b + (k0 + k) * p->ldb + j0;
      for (long jp = 0; jp < nc; jp += SB_NR) {
        long cols = SB_NAME(min_l)(SB_NR, nc - jp);
        float *d = dst + jp * kc + k * SB_NR;
        if (cols == SB_NR) {
          /* a whole panel row: NRV vector moves (a memcpy of variable length became `rep movsq`, whose
             start-up cost per 128 bytes was most of this loop's time in training) */
#pragma GCC unroll 8
          for (int v = 0; v < SB_NRV; v++) *(vec *)(d + v * SB_VLEN) = *(const uvec *)(s + jp + v * SB_VLEN);
          continue;
        }
        memcpy(d, s + jp, (size_t)cols * sizeof(float));
        for (long c = cols; c < SB_NR; c++) d[c] = 0.0f;
      }
    }
    return;
  }
  /* B is [N, K]: each panel's columns of op(B) (rows of B) transposed into it */
  for (long jp = 0; jp < nc; jp += SB_NR)
    SB_NAME(pack_rows)(p->b + (j0 + jp) * p->ldb + k0, p->ldb, SB_NAME(min_l)(SB_NR, nc - jp), kc, dst + jp * kc,
                       SB_NR);
}

/*
 * The register tile: MR x NR sums live in MR * NRV vector registers for the whole k loop. Each step loads
 * NRV vectors of B, broadcasts one element of A per row and issues MR * NRV fused multiply-adds.
 * `nrv` (a constant wherever this is inlined) computes only the first nrv vectors of each row: the narrow
 * edge tiles. Each element's sum is the same sequence of operations whatever nrv is, so the bits are too.
 */
static inline __attribute__((always_inline)) void SB_NAME(micro_n)(long kc, const float *restrict a,
                                                                   const float *restrict b, float *restrict c,
                                                                   long ldc, int accumulate, const int nrv) {
  vec acc[SB_MR][SB_NRV];
#pragma GCC unroll 32
  for (int r = 0; r < SB_MR; r++)
#pragma GCC unroll 8
    for (int v = 0; v < nrv; v++) acc[r][v] = (vec){0};
  for (long k = 0; k < kc; k++) {
    vec bv[SB_NRV];
#pragma GCC unroll 8
    for (int v = 0; v < nrv; v++) bv[v] = *(const vec *)(b + k * SB_NR + v * SB_VLEN);
#pragma GCC unroll 32
    for (int r = 0; r < SB_MR; r++) {
      float ar = a[k * SB_MR + r]; /* scalar * vector: GCC broadcasts it, straight from memory on AVX-512 */
#pragma GCC unroll 8
      for (int v = 0; v < nrv; v++) acc[r][v] += ar * bv[v];
    }
  }
#pragma GCC unroll 32
  for (int r = 0; r < SB_MR; r++)
#pragma GCC unroll 8
    for (int v = 0; v < nrv; v++) {
      uvec *dst = (uvec *)(c + r * ldc + v * SB_VLEN);
      *dst = accumulate ? *dst + acc[r][v] : acc[r][v];
    }
}

/* The full MR x NR tile. */
static inline void SB_NAME(micro)(long kc, const float *restrict a, const float *restrict b, float *restrict c,
                                  long ldc, int accumulate) {
  SB_NAME(micro_n)(kc, a, b, c, ldc, accumulate, SB_NRV);
}

/*
 * A tile at the bottom or right edge: computed into a buffer, of which the valid part is written back. At most
 * one vector wide (e.g. N = 16 for 16-dimensional attention heads, or the last 16 columns of N = 48), only that
 * vector is computed, and a whole MR x VLEN tile goes straight to C.
 */
static void SB_NAME(micro_edge)(long kc, const float *a, const float *b, float *c, long ldc, int accumulate,
                                long rows, long cols) {
  float tile[SB_MR * SB_NR] __attribute__((aligned(64)));
#if SB_NRV > 1
  if (cols <= SB_VLEN) {
    if (rows == SB_MR && cols == SB_VLEN) {
      SB_NAME(micro_n)(kc, a, b, c, ldc, accumulate, 1);
      return;
    }
    SB_NAME(micro_n)(kc, a, b, tile, SB_NR, 0, 1);
  } else
#endif
    SB_NAME(micro_n)(kc, a, b, tile, SB_NR, 0, SB_NRV);
  for (long r = 0; r < rows; r++) {
    float *cr = c + r * ldc;
    const float *tr = tile + r * SB_NR;
    if (accumulate)
      for (long j = 0; j < cols; j++) cr[j] += tr[j];
    else
      memcpy(cr, tr, (size_t)cols * sizeof(float));
  }
}

void SB_NAME(sb_gemm)(const sb_gemm_args *p, sb_workspace *ws) {
  if (p->m <= 0 || p->n <= 0) return;
  if (p->k <= 0) {
    for (long i = 0; i < p->m; i++) memset(p->c + i * p->ldc, 0, (size_t)p->n * sizeof(float));
    return;
  }
  for (long jc = 0; jc < p->n; jc += SB_NC) {
    long nc = SB_NAME(min_l)(SB_NC, p->n - jc);
    for (long pc = 0; pc < p->k; pc += SB_KC) {
      long kc = SB_NAME(min_l)(SB_KC, p->k - pc);
      int accumulate = pc > 0; /* the first slice of K overwrites C, later ones add to it */
      SB_NAME(pack_b)(p, pc, kc, jc, nc, ws->pack_b);
      for (long ic = 0; ic < p->m; ic += SB_MC) {
        long mc = SB_NAME(min_l)(SB_MC, p->m - ic);
        SB_NAME(pack_a)(p, ic, mc, pc, kc, ws->pack_a);
        for (long jr = 0; jr < nc; jr += SB_NR) {
          long cols = SB_NAME(min_l)(SB_NR, nc - jr);
          const float *bp = ws->pack_b + jr * kc;
          for (long ir = 0; ir < mc; ir += SB_MR) {
            long rows = SB_NAME(min_l)(SB_MR, mc - ir);
            const float *ap = ws->pack_a + ir * kc;
            float *cp = p->c + (ic + ir) * p->ldc + jc + jr;
            if (rows == SB_MR && cols == SB_NR)
              SB_NAME(micro)(kc, ap, bp, cp, p->ldc, accumulate);
            else
              SB_NAME(micro_edge)(kc, ap, bp, cp, p->ldc, accumulate, rows, cols);
          }
        }
      }
    }
  }
}

#undef vec
#undef uvec
#undef SB_PREFETCH_ROWS
#undef SB_LINE_FLOATS
#undef SB_TRANSPOSE8
