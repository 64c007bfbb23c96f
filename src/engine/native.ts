import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { requestedThreads } from './threads-env.js';

/** Instruction-set variant the addon chose for this CPU at load time. */
export type NativeIsa = 'avx512' | 'avx2' | 'generic';

/**
 * The compiled addon (native/src/addon.c). All operands are Float32Array views used in place; `c` is
 * overwritten with op(a)·op(b). Strides are implied: op(a) is [m, k], op(b) is [k, n], c is [m, n], each
 * row-major, one after another per batch item; a batch size of 1 broadcasts that operand.
 */
export interface NativeAddon {
  gemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
  ): void;
  gemmBatched(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
  ): void;
  /** out = tanh(x) elementwise; out has x's length. */
  tanh(x: Float32Array, out: Float32Array): void;
  /** out = e^x elementwise. */
  exp(x: Float32Array, out: Float32Array): void;
  /** out = GELU(x), tanh form, elementwise. */
  gelu(x: Float32Array, out: Float32Array): void;
  /** dx = dy · GELU'(x), elementwise. */
  geluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  /** Layer norm over the last axis of x [rows, cols]; writes y and the per-row mean and 1/std. */
  layerNorm(
    x: Float32Array,
    gain: Float32Array,
    bias: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  /** The gradient of {@link NativeAddon.layerNorm}: writes dx, dgain and dbias. */
  layerNormGrad(
    dy: Float32Array,
    x: Float32Array,
    gain: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    dx: Float32Array,
    dgain: Float32Array,
    dbias: Float32Array,
    rows: number,
    cols: number,
  ): void;
  /** RMSNorm over the last axis of x [rows, cols]; writes y and the per-row 1/rms. */
  rmsNorm(
    x: Float32Array,
    gain: Float32Array,
    y: Float32Array,
    rstd: Float32Array,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  /** The gradient of {@link NativeAddon.rmsNorm}: writes dx and dgain. */
  rmsNormGrad(
    dy: Float32Array,
    x: Float32Array,
    gain: Float32Array,
    rstd: Float32Array,
    dx: Float32Array,
    dgain: Float32Array,
    rows: number,
    cols: number,
  ): void;
  /** out[j] = Σ_r x[r * cols + j]: the sum over the leading axis of x [rows, cols]. */
  sumRows(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /**
   * Fused multi-head attention (native/src/attention.c): o = softmax(scale · q kᵀ + bias) v per head, heads
   * read in place from rows of q, k, v (head h in columns h·hd..). probs [B, H, Tq, Tk] receives P.
   * dims: [batch, heads, tq, tk, hd, ldq, ldk, ldv, ldo, biasMode, scale]; biasMode 0 none (bias null),
   * 1 one [Tq, Tk] tile, 2 [H, Tq, Tk], 3 [B, H, Tq, Tk].
   */
  attention(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    bias: Float32Array | null,
    probs: Float32Array,
    o: Float32Array,
    dims: number[],
  ): void;
  /**
   * The gradient of {@link NativeAddon.attention} from dout and the saved probs: writes dq, dk, dv (and dbias
   * when biasMode > 0). dims as attention's, with ldo read as dout's, then lddq, lddk, lddv.
   */
  attentionGrad(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    bias: Float32Array | null,
    probs: Float32Array,
    dout: Float32Array,
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    dbias: Float32Array | null,
    dims: number[],
  ): void;
  /** Per-row softmax cross-entropy of logits [rows, classes] against targets [rows]: writes nll and lse. */
  crossEntropy(
    logits: Float32Array,
    targets: Int32Array,
    nll: Float32Array,
    lse: Float32Array,
    rows: number,
    classes: number,
  ): void;
  /** The gradient of {@link NativeAddon.crossEntropy}: dlogits = dnll · (softmax − one-hot). */
  crossEntropyGrad(
    dnll: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    lse: Float32Array,
    dlogits: Float32Array,
    rows: number,
    classes: number,
  ): void;
  /**
   * One AdamW update of w, m, v in place; c1, c2 are the bias corrections 1/(1 − β^t), shrink the decoupled
   * decay factor. Bit-identical to the JavaScript loop in src/train/adamw.ts.
   */
  adamw(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    beta1: number,
    beta2: number,
    c1: number,
    c2: number,
    lr: number,
    eps: number,
    shrink: number,
    gradScale: number,
  ): void;
  /**
   * mask[i] = 1 at the `keep` highest scores, else 0 (ties towards the lower index, NaN as −∞); the same mask as
   * topKMaskJs in src/sparsity/top-k.ts. `mask` has the scores' length; 0 ≤ keep ≤ its length.
   */
  topKMask(scores: Float32Array, mask: Uint8Array, keep: number): void;
  info(): { isa: NativeIsa; threads: number };
  setThreads(n: number): number;
}

/** Whether the addon is usable, and if not, why; for `doctor` and the trial record. */
export interface NativeStatus {
  loaded: boolean;
  /** One line: what was loaded, or why not. */
  reason: string;
  /** Where the addon is expected (native/build after `npm install`). */
  path: string;
  /** Variant in use, when loaded. */
  isa: NativeIsa | null;
  /** Threads per large product, when loaded (SPARSEBENCH_THREADS, default 1). */
  threads: number;
}

/** Resolves from both src/engine/ (tests, tsx) and dist/engine/ (the built CLI): two levels below the root. */
export const NATIVE_ADDON_PATH = fileURLToPath(
  new URL('../../native/build/Release/sparsebench_native.node', import.meta.url),
);

/** Every function of {@link NativeAddon}; the compiler checks the list is complete. */
const ADDON_FUNCTIONS = Object.keys({
  gemm: true,
  gemmBatched: true,
  tanh: true,
  exp: true,
  gelu: true,
  geluGrad: true,
  layerNorm: true,
  layerNormGrad: true,
  rmsNorm: true,
  rmsNormGrad: true,
  sumRows: true,
  attention: true,
  attentionGrad: true,
  crossEntropy: true,
  crossEntropyGrad: true,
  adamw: true,
  topKMask: true,
  info: true,
  setThreads: true,
} satisfies Record<keyof NativeAddon, true>) as (keyof NativeAddon)[];

/**
 * The functions this sparsebench calls that `addon` lacks: an addon built from older sources (the code updated
 * without `npm install`, which rebuilds it) would otherwise fail at its first call to one of them.
 */
export function missingFunctions(addon: object): string[] {
  return ADDON_FUNCTIONS.filter((name) => typeof (addon as Record<string, unknown>)[name] !== 'function');
}

let loaded: { addon: NativeAddon | null; status: NativeStatus } | null = null;

function load(): { addon: NativeAddon | null; status: NativeStatus } {
  const path = NATIVE_ADDON_PATH;
  const absent = (reason: string) => ({
    addon: null,
    status: { loaded: false, reason, path, isa: null, threads: 0 },
  });
  if (process.env.SPARSEBENCH_NATIVE === '0') return absent('disabled by SPARSEBENCH_NATIVE=0');
  if (!existsSync(path)) return absent('not built (npm install builds it; a failed build leaves pure wasm)');
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    const missing = missingFunctions(addon);
    if (missing.length > 0)
      return absent(
        `built from older sources: it lacks ${missing.join(', ')}; rebuild it with \`npm run build:native\``,
      );
    const threads = addon.setThreads(requestedThreads());
    const { isa } = addon.info();
    return {
      addon,
      status: { loaded: true, reason: `loaded (${isa}, ${threads} thread(s))`, path, isa, threads },
    };
  } catch (e) {
    return absent(`failed to load: ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * The addon, or null when it is absent, fails to load, or SPARSEBENCH_NATIVE=0. Never throws. The result is
 * kept, except that SPARSEBENCH_NATIVE is read on every call so it can switch the kernels off at any time.
 */
export function nativeAddon(): NativeAddon | null {
  if (process.env.SPARSEBENCH_NATIVE === '0') return null;
  if (!loaded || (!loaded.addon && loaded.status.reason.startsWith('disabled'))) loaded = load();
  return loaded.addon;
}

/** What {@link nativeAddon} found, for `doctor` and the trial record. */
export function nativeStatus(): NativeStatus {
  if (process.env.SPARSEBENCH_NATIVE === '0') return load().status;
  nativeAddon();
  return loaded!.status;
}

/**
 * A warning for a run whose addon is built but unusable (it failed to load, or was built from older sources), so
 * its kernels, expected, are off; null when they are on, or off by choice or for want of a build.
 */
export function nativeWarning(): string | null {
  const status = nativeStatus();
  if (status.loaded || process.env.SPARSEBENCH_NATIVE === '0' || !existsSync(status.path)) return null;
  return `native kernels off: ${status.reason}. Trials train on the slower pure wasm kernels`;
}
