/*
 * N-API bindings. Operands arrive as Float32Array views (in practice on the wasm backend's heap) and are
 * used in place: napi_get_typedarray_info yields the data pointer, nothing is copied. Every size is checked to
 * be a non-negative integer and every view to hold what the sizes say will be read or written; a product of
 * sizes that overflows is an error, not a wrapped (small) requirement.
 *
 *   gemm(a, b, c, m, n, k, transA, transB)                   c[m,n] = op(a) · op(b)
 *   gemmBatched(a, b, c, batchA, batchB, m, n, k, tA, tB)    per batch item; a batch of 1 broadcasts
 *   tanh(x, out), exp(x, out), gelu(x, out)                  out = f(x), elementwise
 *   geluGrad(dy, x, dx)                                      dx = dy * gelu'(x), elementwise
 *   sumRows(x, out, rows, cols)                              out[j] = sum over r of x[r, j]
 *   layerNorm(x, gain, bias, y, mean, rstd, rows, cols, eps) layer norm over the last axis of x [rows, cols]
 *   layerNormGrad(dy, x, gain, mean, rstd, dx, dgain, dbias, rows, cols)   its gradient
 *   rmsNorm(x, gain, y, rstd, rows, cols, eps)              RMSNorm over the last axis of x [rows, cols]
 *   rmsNormGrad(dy, x, gain, rstd, dx, dgain, rows, cols)    its gradient
 *   attention(q, k, v, bias, probs, o, dims)                fused multi-head attention (attention.c);
 *       dims = [batch, heads, tq, tk, hd, ldq, ldk, ldv, ldo, biasMode, scale], bias null when biasMode 0
 *   attentionGrad(q, k, v, bias, probs, dout, dq, dk, dv, dbias, dims)   its gradient; dims as above with
 *       ldo meaning dout's, then lddq, lddk, lddv appended; dbias null when biasMode 0
 *   crossEntropy(logits, targets, nll, lse, rows, classes)   per-row softmax cross-entropy (Int32Array targets)
 *   crossEntropyGrad(dnll, logits, targets, lse, dlogits, rows, classes)   its gradient
 *   adamw(w, g, m, v, beta1, beta2, c1, c2, lr, eps, shrink, gradScale)   one AdamW update in place
 *   topKMask(scores, mask, k)                                mask = 1 at the k highest scores (Uint8Array mask)
 *   info()        → { isa: 'avx512' | 'avx2' | 'generic', threads }
 *   setThreads(n) → threads now in use
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "gemm.h"

#define CHECK(call)                                                              \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error(env, NULL, "sparsebench native: N-API call failed: " #call); \
      return NULL;                                                               \
    }                                                                            \
  } while (0)

/*
 * Element counts. Sizes are non-negative; every product of sizes goes through these, which give -1 when an
 * operand is already -1 or the result would not fit a long, and get_typed rejects a need of -1. So no size a
 * caller passes can wrap around into a small need and let a kernel read or write past a view.
 */
static long mul(long a, long b) {
  long r;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r)) return -1;
  return r;
}
static long add(long a, long b) {
  long r;
  if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &r)) return -1;
  return r;
}
static long mul3(long a, long b, long c) { return mul(mul(a, b), c); }

/* Reads `v` as a typed array of type `want` (named `kind` in errors) with at least `need` elements (-1: overflow). */
static int get_typed(napi_env env, napi_value v, long need, const char *what, napi_typedarray_type want,
                     const char *kind, void **out) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  bool is_typed = false;
  char msg[160];
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok || type != want) {
    snprintf(msg, sizeof msg, "sparsebench native: %s must be %s", what, kind);
    napi_throw_type_error(env, NULL, msg);
    return -1;
  }
  if (need < 0) {
    snprintf(msg, sizeof msg, "sparsebench native: the sizes given for %s overflow", what);
    napi_throw_range_error(env, NULL, msg);
    return -1;
  }
  if (length < (size_t)need) {
    snprintf(msg, sizeof msg, "sparsebench native: %s has %zu elements, needs %ld", what, length, need);
    napi_throw_range_error(env, NULL, msg);
    return -1;
  }
  *out = data;
  return 0;
}

/* Reads `v` as a Float32Array of at least `need` elements. */
static int get_floats(napi_env env, napi_value v, long need, const char *what, float **out) {
  return get_typed(env, v, need, what, napi_float32_array, "a Float32Array", (void **)out);
}

/* Reads `v` as an Int32Array of at least `need` elements. */
static int get_ints(napi_env env, napi_value v, long need, const char *what, int32_t **out) {
  return get_typed(env, v, need, what, napi_int32_array, "an Int32Array", (void **)out);
}

static int get_long(napi_env env, napi_value v, long *out) {
  int64_t x;
  if (napi_get_value_int64(env, v, &x) != napi_ok || x < 0 || x > LONG_MAX) {
    napi_throw_type_error(env, NULL, "sparsebench native: sizes must be non-negative integers");
    return -1;
  }
  *out = (long)x;
  return 0;
}

static int get_flag(napi_env env, napi_value v, int *out) {
  bool b;
  if (napi_coerce_to_bool(env, v, &v) != napi_ok || napi_get_value_bool(env, v, &b) != napi_ok) return -1;
  *out = b;
  return 0;
}

/* Shared by gemm and gemmBatched: argv = [a, b, c, batchA, batchB, m, n, k, tA, tB]. */
static napi_value run(napi_env env, napi_value *argv) {
  long batch_a, batch_b, m, n, k;
  int ta, tb;
  if (get_long(env, argv[3], &batch_a) || get_long(env, argv[4], &batch_b) || get_long(env, argv[5], &m) ||
      get_long(env, argv[6], &n) || get_long(env, argv[7], &k) || get_flag(env, argv[8], &ta) ||
      get_flag(env, argv[9], &tb))
    return NULL;
  if (batch_a != batch_b && batch_a != 1 && batch_b != 1) {
    napi_throw_range_error(env, NULL, "sparsebench native: batch sizes must match or one must be 1");
    return NULL;
  }
  long batch = batch_a == 0 || batch_b == 0 ? 0 : batch_a > batch_b ? batch_a : batch_b; /* broadcast */
  /* an operand with a batch of 1 is broadcast: read once, whatever the other's batch */
  long items_a = batch_a == 1 ? 1 : batch, items_b = batch_b == 1 ? 1 : batch;
  float *a, *b, *c;
  if (get_floats(env, argv[0], mul3(items_a, m, k), "a", &a) ||
      get_floats(env, argv[1], mul3(items_b, k, n), "b", &b) || get_floats(env, argv[2], mul3(batch, m, n), "c", &c))
    return NULL;
  sb_gemm_args p = {m, n, k, a, ta ? m : k, ta, b, tb ? k : n, tb, c, n};
  if (sb_gemm_batched(&p, batch, batch_a == 1 ? 0 : mul(m, k), batch_b == 1 ? 0 : mul(k, n), mul(m, n)) != 0) {
    napi_throw_error(env, NULL, "sparsebench native: out of memory for GEMM scratch");
    return NULL;
  }
  return NULL;
}

static napi_value gemm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "sparsebench native: gemm(a, b, c, m, n, k, transA, transB)");
    return NULL;
  }
  napi_value one;
  CHECK(napi_create_int32(env, 1, &one));
  napi_value full[10] = {argv[0], argv[1], argv[2], one, one, argv[3], argv[4], argv[5], argv[6], argv[7]};
  return run(env, full);
}

static napi_value gemm_batched(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 10) {
    napi_throw_type_error(env, NULL,
                          "sparsebench native: gemmBatched(a, b, c, batchA, batchB, m, n, k, transA, transB)");
    return NULL;
  }
  return run(env, argv);
}

/* Shared by the elementwise functions: argv = [x, out] (or [dy, x, dx]), all Float32Arrays of x's length. */
static napi_value elementwise(napi_env env, napi_callback_info info, size_t arity, const char *usage,
                              void (*unary)(const float *, float *, long),
                              void (*binary)(const float *, const float *, float *, long)) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  size_t n;
  float *p[3];
  if (argc < arity || napi_get_typedarray_info(env, argv[0], NULL, &n, NULL, NULL, NULL) != napi_ok) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  for (size_t i = 0; i < arity; i++)
    if (get_floats(env, argv[i], (long)n, i + 1 == arity ? "out" : "an input", &p[i])) return NULL;
  if (unary) unary(p[0], p[1], (long)n);
  else binary(p[0], p[1], p[2], (long)n);
  return NULL;
}

static napi_value tanh_fn(napi_env env, napi_callback_info info) {
  return elementwise(env, info, 2, "sparsebench native: tanh(x, out)", sb_tanh, NULL);
}

static napi_value exp_fn(napi_env env, napi_callback_info info) {
  return elementwise(env, info, 2, "sparsebench native: exp(x, out)", sb_exp, NULL);
}

static napi_value gelu_fn(napi_env env, napi_callback_info info) {
  return elementwise(env, info, 2, "sparsebench native: gelu(x, out)", sb_gelu, NULL);
}

static napi_value gelu_grad_fn(napi_env env, napi_callback_info info) {
  return elementwise(env, info, 3, "sparsebench native: geluGrad(dy, x, dx)", NULL, sb_gelu_grad);
}

static napi_value sum_rows(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  long rows, cols;
  float *x, *out;
  if (argc < 4) {
    napi_throw_type_error(env, NULL, "sparsebench native: sumRows(x, out, rows, cols)");
    return NULL;
  }
  if (get_long(env, argv[2], &rows) || get_long(env, argv[3], &cols) ||
      get_floats(env, argv[0], mul(rows, cols), "x", &x) || get_floats(env, argv[1], cols, "out", &out))
    return NULL;
  sb_sum_rows(x, out, rows, cols);
  return NULL;
}

static napi_value layer_norm(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  long rows, cols;
  double eps;
  float *x, *gain, *bias, *y, *mean, *rstd;
  if (argc < 9 || napi_get_value_double(env, argv[8], &eps) != napi_ok) {
    napi_throw_type_error(env, NULL, "sparsebench native: layerNorm(x, gain, bias, y, mean, rstd, rows, cols, eps)");
    return NULL;
  }
  if (get_long(env, argv[6], &rows) || get_long(env, argv[7], &cols) ||
      get_floats(env, argv[0], mul(rows, cols), "x", &x) || get_floats(env, argv[1], cols, "gain", &gain) ||
      get_floats(env, argv[2], cols, "bias", &bias) || get_floats(env, argv[3], mul(rows, cols), "y", &y) ||
      get_floats(env, argv[4], rows, "mean", &mean) || get_floats(env, argv[5], rows, "rstd", &rstd))
    return NULL;
  sb_layer_norm(x, gain, bias, y, mean, rstd, rows, cols, (float)eps);
  return NULL;
}

static napi_value layer_norm_grad(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  long rows, cols;
  float *dy, *x, *gain, *mean, *rstd, *dx, *dgain, *dbias;
  if (argc < 10) {
    napi_throw_type_error(env, NULL,
                          "sparsebench native: layerNormGrad(dy, x, gain, mean, rstd, dx, dgain, dbias, rows, cols)");
    return NULL;
  }
  if (get_long(env, argv[8], &rows) || get_long(env, argv[9], &cols) ||
      get_floats(env, argv[0], mul(rows, cols), "dy", &dy) || get_floats(env, argv[1], mul(rows, cols), "x", &x) ||
      get_floats(env, argv[2], cols, "gain", &gain) || get_floats(env, argv[3], rows, "mean", &mean) ||
      get_floats(env, argv[4], rows, "rstd", &rstd) || get_floats(env, argv[5], mul(rows, cols), "dx", &dx) ||
      get_floats(env, argv[6], cols, "dgain", &dgain) || get_floats(env, argv[7], cols, "dbias", &dbias))
    return NULL;
  sb_layer_norm_grad(dy, x, gain, mean, rstd, dx, dgain, dbias, rows, cols);
  return NULL;
}

static napi_value rms_norm(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  long rows, cols;
  double eps;
  float *x, *gain, *y, *rstd;
  if (argc < 7 || napi_get_value_double(env, argv[6], &eps) != napi_ok) {
    napi_throw_type_error(env, NULL, "sparsebench native: rmsNorm(x, gain, y, rstd, rows, cols, eps)");
    return NULL;
  }
  if (get_long(env, argv[4], &rows) || get_long(env, argv[5], &cols) ||
      get_floats(env, argv[0], mul(rows, cols), "x", &x) || get_floats(env, argv[1], cols, "gain", &gain) ||
      get_floats(env, argv[2], mul(rows, cols), "y", &y) || get_floats(env, argv[3], rows, "rstd", &rstd))
    return NULL;
  sb_rms_norm(x, gain, y, rstd, rows, cols, (float)eps);
  return NULL;
}

static napi_value rms_norm_grad(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  long rows, cols;
  float *dy, *x, *gain, *rstd, *dx, *dgain;
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "sparsebench native: rmsNormGrad(dy, x, gain, rstd, dx, dgain, rows, cols)");
    return NULL;
  }
  if (get_long(env, argv[6], &rows) || get_long(env, argv[7], &cols) ||
      get_floats(env, argv[0], mul(rows, cols), "dy", &dy) || get_floats(env, argv[1], mul(rows, cols), "x", &x) ||
      get_floats(env, argv[2], cols, "gain", &gain) || get_floats(env, argv[3], rows, "rstd", &rstd) ||
      get_floats(env, argv[4], mul(rows, cols), "dx", &dx) || get_floats(env, argv[5], cols, "dgain", &dgain))
    return NULL;
  sb_rms_norm_grad(dy, x, gain, rstd, dx, dgain, rows, cols);
  return NULL;
}

/* Reads `count` numbers from the JS array `v` into out. */
static int get_numbers(napi_env env, napi_value v, uint32_t count, double *out) {
  bool is_array = false;
  uint32_t length = 0;
  if (napi_is_array(env, v, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, v, &length) != napi_ok || length < count) {
    napi_throw_type_error(env, NULL, "sparsebench native: attention dims must be an array of numbers");
    return -1;
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value e;
    if (napi_get_element(env, v, i, &e) != napi_ok || napi_get_value_double(env, e, &out[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "sparsebench native: attention dims must be an array of numbers");
      return -1;
    }
  }
  return 0;
}

/* Elements a [rows, ld] operand must hold to cover `cols` columns of its last row. */
static long span(long rows, long ld, long cols) { return rows > 0 ? add(mul(rows - 1, ld), cols) : rows < 0 ? -1 : 0; }

/* Elements of a bias (or its gradient) laid out per a->bias_mode; 0 without one. */
static long bias_elements(const sb_attention_args *a) {
  long tile = mul(a->tq, a->tk);
  switch (a->bias_mode) {
    case SB_BIAS_SHARED:
      return tile;
    case SB_BIAS_PER_HEAD:
      return mul(a->heads, tile);
    case SB_BIAS_PER_ITEM:
      return mul3(a->batch, a->heads, tile);
    default:
      return 0;
  }
}

/*
 * Fills the attention arguments from dims and the q, k, v, bias views (bias read only when biasMode > 0),
 * checking every view is long enough for the rows and heads it is read at.
 */
/* A dims entry as a size: a non-negative integer a long holds, else -1. */
static long dim(double x) {
  if (!(x >= 0 && x <= 9007199254740992.0 && x <= (double)LONG_MAX)) return -1; /* also NaN */
  long v = (long)x;
  return (double)v == x ? v : -1;
}

/*
 * Converts the size entries of dims (all but biasMode and scale, at 9 and 10) into `out`; throws and gives -1
 * when one is not a non-negative integer.
 */
static int get_dims(napi_env env, const double *d, int count, long *out) {
  for (int i = 0; i < count; i++) {
    out[i] = i == 9 || i == 10 ? 0 : dim(d[i]);
    if (out[i] < 0) {
      char msg[120];
      snprintf(msg, sizeof msg, "sparsebench native: attention dims[%d] is %g, must be a non-negative integer", i, d[i]);
      napi_throw_range_error(env, NULL, msg);
      return -1;
    }
  }
  return 0;
}

static int attention_args(napi_env env, napi_value *argv, const double *d, const long *s, sb_attention_args *a) {
  a->batch = s[0], a->heads = s[1], a->tq = s[2], a->tk = s[3], a->hd = s[4];
  a->ldq = s[5], a->ldk = s[6], a->ldv = s[7], a->bias_mode = (int)d[9];
  a->scale = (float)d[10];
  long width = mul(a->heads, a->hd);
  if (!(d[9] == SB_BIAS_NONE || d[9] == SB_BIAS_SHARED || d[9] == SB_BIAS_PER_HEAD || d[9] == SB_BIAS_PER_ITEM)) {
    napi_throw_range_error(env, NULL, "sparsebench native: attention biasMode must be 0, 1, 2 or 3");
    return -1;
  }
  float *q, *k, *v, *bias = NULL;
  if (get_floats(env, argv[0], span(mul(a->batch, a->tq), a->ldq, width), "q", &q) ||
      get_floats(env, argv[1], span(mul(a->batch, a->tk), a->ldk, width), "k", &k) ||
      get_floats(env, argv[2], span(mul(a->batch, a->tk), a->ldv, width), "v", &v) ||
      (a->bias_mode && get_floats(env, argv[3], bias_elements(a), "bias", &bias)))
    return -1;
  a->q = q, a->k = k, a->v = v, a->bias = bias;
  return 0;
}

static napi_value attention(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  double d[11];
  long s[11];
  sb_attention_args a;
  float *probs, *o;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) {
    napi_throw_type_error(env, NULL, "sparsebench native: attention(q, k, v, bias, probs, o, dims)");
    return NULL;
  }
  if (get_numbers(env, argv[6], 11, d) || get_dims(env, d, 11, s) || attention_args(env, argv, d, s, &a)) return NULL;
  long ldo = s[8];
  if (get_floats(env, argv[4], mul3(a.batch, a.heads, mul(a.tq, a.tk)), "probs", &probs) ||
      get_floats(env, argv[5], span(mul(a.batch, a.tq), ldo, mul(a.heads, a.hd)), "o", &o))
    return NULL;
  if (sb_attention(&a, probs, o, ldo) != 0) napi_throw_error(env, NULL, "sparsebench native: out of memory");
  return NULL;
}

static napi_value attention_grad(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  double d[14];
  long s[14];
  sb_attention_args a;
  sb_attention_grads g = {0};
  float *probs, *dout;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 11) {
    napi_throw_type_error(env, NULL,
                          "sparsebench native: attentionGrad(q, k, v, bias, probs, dout, dq, dk, dv, dbias, dims)");
    return NULL;
  }
  if (get_numbers(env, argv[10], 14, d) || get_dims(env, d, 14, s) || attention_args(env, argv, d, s, &a))
    return NULL;
  long lddo = s[8], width = mul(a.heads, a.hd), tile = mul(a.tq, a.tk);
  long rows_q = mul(a.batch, a.tq), rows_k = mul(a.batch, a.tk);
  g.lddq = s[11], g.lddk = s[12], g.lddv = s[13];
  if (get_floats(env, argv[4], mul3(a.batch, a.heads, tile), "probs", &probs) ||
      get_floats(env, argv[5], span(rows_q, lddo, width), "dout", &dout) ||
      get_floats(env, argv[6], span(rows_q, g.lddq, width), "dq", &g.dq) ||
      get_floats(env, argv[7], span(rows_k, g.lddk, width), "dk", &g.dk) ||
      get_floats(env, argv[8], span(rows_k, g.lddv, width), "dv", &g.dv) ||
      (a.bias_mode && get_floats(env, argv[9], bias_elements(&a), "dbias", &g.dbias)))
    return NULL;
  if (sb_attention_grad(&a, probs, dout, lddo, &g) != 0)
    napi_throw_error(env, NULL, "sparsebench native: out of memory");
  return NULL;
}

static napi_value cross_entropy(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  long rows, classes;
  float *logits, *nll, *lse;
  int32_t *targets;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "sparsebench native: crossEntropy(logits, targets, nll, lse, rows, classes)");
    return NULL;
  }
  if (get_long(env, argv[4], &rows) || get_long(env, argv[5], &classes) ||
      get_floats(env, argv[0], mul(rows, classes), "logits", &logits) || get_ints(env, argv[1], rows, "targets", &targets) ||
      get_floats(env, argv[2], rows, "nll", &nll) || get_floats(env, argv[3], rows, "lse", &lse))
    return NULL;
  if (sb_cross_entropy(logits, targets, nll, lse, rows, classes) != 0)
    napi_throw_error(env, NULL, "sparsebench native: out of memory");
  return NULL;
}

static napi_value cross_entropy_grad(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  long rows, classes;
  float *dnll, *logits, *lse, *dlogits;
  int32_t *targets;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) {
    napi_throw_type_error(env, NULL,
                          "sparsebench native: crossEntropyGrad(dnll, logits, targets, lse, dlogits, rows, classes)");
    return NULL;
  }
  if (get_long(env, argv[5], &rows) || get_long(env, argv[6], &classes) ||
      get_floats(env, argv[0], rows, "dnll", &dnll) || get_floats(env, argv[1], mul(rows, classes), "logits", &logits) ||
      get_ints(env, argv[2], rows, "targets", &targets) || get_floats(env, argv[3], rows, "lse", &lse) ||
      get_floats(env, argv[4], mul(rows, classes), "dlogits", &dlogits))
    return NULL;
  sb_cross_entropy_grad(dnll, logits, targets, lse, dlogits, rows, classes);
  return NULL;
}

static napi_value adamw(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  double h[8];
  float *w, *g, *m, *v;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  size_t n;
  if (argc < 12 || napi_get_typedarray_info(env, argv[0], NULL, &n, NULL, NULL, NULL) != napi_ok) {
    napi_throw_type_error(env, NULL,
                          "sparsebench native: adamw(w, g, m, v, beta1, beta2, c1, c2, lr, eps, shrink, gradScale)");
    return NULL;
  }
  for (int i = 0; i < 8; i++)
    if (napi_get_value_double(env, argv[4 + i], &h[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "sparsebench native: adamw hyperparameters must be numbers");
      return NULL;
    }
  if (get_floats(env, argv[0], (long)n, "w", &w) || get_floats(env, argv[1], (long)n, "g", &g) ||
      get_floats(env, argv[2], (long)n, "m", &m) || get_floats(env, argv[3], (long)n, "v", &v))
    return NULL;
  sb_adamw(w, g, m, v, (long)n, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
  return NULL;
}

static napi_value top_k_mask(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  size_t n;
  long k;
  float *scores;
  uint8_t *mask;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || napi_get_typedarray_info(env, argv[0], NULL, &n, NULL, NULL, NULL) != napi_ok) {
    napi_throw_type_error(env, NULL, "sparsebench native: topKMask(scores, mask, k)");
    return NULL;
  }
  if (get_long(env, argv[2], &k) || get_floats(env, argv[0], (long)n, "scores", &scores) ||
      get_typed(env, argv[1], (long)n, "mask", napi_uint8_array, "a Uint8Array", (void **)&mask))
    return NULL;
  if (k > (long)n) {
    napi_throw_range_error(env, NULL, "sparsebench native: topKMask keeps more entries than scores has");
    return NULL;
  }
  if (sb_top_k_mask(scores, mask, (long)n, k) != 0) napi_throw_error(env, NULL, "sparsebench native: out of memory");
  return NULL;
}

static napi_value info_fn(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, isa, threads;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_string_utf8(env, sb_isa_name(), NAPI_AUTO_LENGTH, &isa));
  CHECK(napi_create_int32(env, sb_threads(), &threads));
  CHECK(napi_set_named_property(env, obj, "isa", isa));
  CHECK(napi_set_named_property(env, obj, "threads", threads));
  return obj;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n = 1;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc >= 1) CHECK(napi_get_value_int32(env, argv[0], &n));
  sb_set_threads(n);
  napi_value out;
  CHECK(napi_create_int32(env, sb_threads(), &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gemmBatched", NULL, gemm_batched, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tanh", NULL, tanh_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"exp", NULL, exp_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gelu", NULL, gelu_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"geluGrad", NULL, gelu_grad_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"layerNorm", NULL, layer_norm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"layerNormGrad", NULL, layer_norm_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"rmsNorm", NULL, rms_norm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"rmsNormGrad", NULL, rms_norm_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sumRows", NULL, sum_rows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"attention", NULL, attention, NULL, NULL, NULL, napi_enumerable, NULL},
      {"attentionGrad", NULL, attention_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"crossEntropy", NULL, cross_entropy, NULL, NULL, NULL, napi_enumerable, NULL},
      {"crossEntropyGrad", NULL, cross_entropy_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adamw", NULL, adamw, NULL, NULL, NULL, napi_enumerable, NULL},
      {"topKMask", NULL, top_k_mask, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, info_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
