/*
 * Chooses the GEMM variant for this CPU once, owns the per-thread scratch, and optionally splits large
 * products over a few threads (off by default: a sweep already runs one process per core).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

#define SB_MAX_THREADS 64
/* Below this many multiply-adds a product runs on one thread: starting threads would cost more. */
#define SB_PARALLEL_MIN_WORK (1L << 21)

typedef void (*sb_gemm_fn)(const sb_gemm_args *, sb_workspace *);
typedef void (*sb_sizes_fn)(size_t *, size_t *);

static sb_gemm_fn chosen_gemm;
static sb_sizes_fn chosen_sizes;
static const char *chosen_name;
static int thread_count = 1;
static sb_workspace workspaces[SB_MAX_THREADS];
/* The scratch is shared: one product at a time per process (Node worker threads could call concurrently). */
static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;

/*
 * The widest variant this CPU runs. __builtin_cpu_supports checks both the CPU and that the OS saves the
 * wide registers (XCR0). SPARSEBENCH_NATIVE_ISA=avx2 or =generic caps the choice (to test every variant).
 */
static void choose(void) {
  if (chosen_gemm) return;
#if defined(__x86_64__) || defined(__i386__)
  const char *cap = getenv("SPARSEBENCH_NATIVE_ISA");
  int allow512 = !cap || !*cap || strcmp(cap, "avx512") == 0;
  int allow2 = allow512 || strcmp(cap, "avx2") == 0;
  __builtin_cpu_init();
  if (allow512 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) {
    chosen_gemm = sb_gemm_avx512, chosen_sizes = sb_workspace_floats_avx512, chosen_name = "avx512";
    return;
  }
  if (allow2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    chosen_gemm = sb_gemm_avx2, chosen_sizes = sb_workspace_floats_avx2, chosen_name = "avx2";
    return;
  }
#endif
  chosen_gemm = sb_gemm_generic, chosen_sizes = sb_workspace_floats_generic, chosen_name = "generic";
}

const char *sb_isa_name(void) {
  choose();
  return chosen_name;
}

int sb_threads(void) { return thread_count; }

void sb_set_threads(int n) { thread_count = n < 1 ? 1 : n > SB_MAX_THREADS ? SB_MAX_THREADS : n; }

/* Scratch of thread slot `i`, allocated on first use and kept (64-byte aligned for vector loads). */
static sb_workspace *workspace(int i) {
  sb_workspace *ws = &workspaces[i];
  if (!ws->pack_a) {
    size_t fa, fb;
    chosen_sizes(&fa, &fb);
    void *a = NULL, *b = NULL;
    if (posix_memalign(&a, 64, fa * sizeof(float)) || posix_memalign(&b, 64, fb * sizeof(float))) {
      free(a);
      return NULL;
    }
    ws->pack_a = a, ws->pack_b = b;
  }
  return ws;
}

/* A share of a batched product: problems [first, last) of the batch, run with thread slot `slot`. */
typedef struct {
  sb_gemm_args args;
  long first, last, stride_a, stride_b, stride_c;
  int slot, status;
} sb_job;

static void run_job(sb_job *j) {
  sb_workspace *ws = workspace(j->slot);
  if (!ws) {
    j->status = -1;
    return;
  }
  for (long i = j->first; i < j->last; i++) {
    sb_gemm_args p = j->args;
    p.a += i * j->stride_a, p.b += i * j->stride_b, p.c += i * j->stride_c;
    chosen_gemm(&p, ws);
  }
  j->status = 0;
}

static void *job_thread(void *arg) {
  run_job(arg);
  return NULL;
}

/* Runs jobs[0..n) with jobs 1.. on fresh threads and job 0 on the caller's; falls back to serial. */
static int run_jobs(sb_job *jobs, int n) {
  pthread_t tids[SB_MAX_THREADS];
  int started[SB_MAX_THREADS] = {0};
  for (int t = 1; t < n; t++) started[t] = pthread_create(&tids[t], NULL, job_thread, &jobs[t]) == 0;
  run_job(&jobs[0]);
  int status = jobs[0].status;
  for (int t = 1; t < n; t++) {
    if (started[t]) pthread_join(tids[t], NULL);
    else run_job(&jobs[t]);
    status |= jobs[t].status;
  }
  return status;
}

/*
 * Splits one problem into `n` bands: along N (columns of op(B) and C) when N is the larger side, else
 * along M (rows of op(A) and C). Bands are multiples of 32 so the vector tiles stay whole.
 */
static int split_one(const sb_gemm_args *p, int n) {
  sb_job jobs[SB_MAX_THREADS];
  int by_cols = p->n >= p->m;
  long extent = by_cols ? p->n : p->m;
  long band = ((extent + n - 1) / n + 31) / 32 * 32;
  int used = 0;
  for (long start = 0; start < extent && used < n; start += band, used++) {
    long size = extent - start < band ? extent - start : band;
    sb_job *j = &jobs[used];
    memset(j, 0, sizeof *j);
    j->args = *p, j->first = 0, j->last = 1, j->slot = used;
    if (by_cols) {
      j->args.n = size;
      j->args.b += p->trans_b ? start * p->ldb : start;
      j->args.c += start;
    } else {
      j->args.m = size;
      j->args.a += p->trans_a ? start : start * p->lda;
      j->args.c += start * p->ldc;
    }
  }
  return run_jobs(jobs, used);
}

static int gemm_batched_locked(const sb_gemm_args *p, long batch, long stride_a, long stride_b, long stride_c) {
  if (batch <= 0) return 0;
  double work = (double)batch * p->m * p->n * p->k;
  int n = thread_count;
  if (n <= 1 || work < SB_PARALLEL_MIN_WORK) {
    sb_job j = {*p, 0, batch, stride_a, stride_b, stride_c, 0, 0};
    run_job(&j);
    return j.status;
  }
  if (batch == 1) return split_one(p, n);
  /* Several problems: give each thread a contiguous run of them. */
  if (n > batch) n = (int)batch;
  sb_job jobs[SB_MAX_THREADS];
  for (int t = 0; t < n; t++) {
    sb_job j = {*p, batch * t / n, batch * (t + 1) / n, stride_a, stride_b, stride_c, t, 0};
    jobs[t] = j;
  }
  return run_jobs(jobs, n);
}

int sb_gemm_batched(const sb_gemm_args *p, long batch, long stride_a, long stride_b, long stride_c) {
  choose();
  pthread_mutex_lock(&busy);
  int status = gemm_batched_locked(p, batch, stride_a, stride_b, stride_c);
  pthread_mutex_unlock(&busy);
  return status;
}

int sb_gemm(const sb_gemm_args *p) { return sb_gemm_batched(p, 1, 0, 0, 0); }
