import { arch as cpuArch, cpus, platform } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { activateBackend, ENGINE_NAMES, type EngineName, loadBackend, resolveAuto } from './backends.js';
import { nativeStatus } from './native.js';
import type { AdapterInfo } from './webgpu.js';
import { deviceErrorMark, throwOnDeviceErrors } from './webgpu-errors.js';

/** The probe's product: [M, K] x [K, N], the shape of a small model's dense layer over a batch (ENGINE.md). */
export const PROBE_SHAPE = { m: 2048, k: 128, n: 512 } as const;

/** A value a backend reports beyond the common fields; `extras` takes any number of them. */
export type Extra = string | number | boolean;

/** Matmul throughput measured on one backend. */
export interface MatmulProbe {
  gflops: number;
  /** Products timed (after one untimed warm-up, which compiles shaders on webgpu). */
  products: number;
  seconds: number;
}

/** One backend: whether it loads here, why not, and what it reports. */
export interface BackendReport {
  name: EngineName;
  loads: boolean;
  /** Why it does not load (what is missing, how to get it); null when it loads. */
  reason: string | null;
  /** webgpu: the adapter Dawn found. */
  adapter: AdapterInfo | null;
  /** tensorflow: the package that provides it. */
  package: string | null;
  /** Backend-specific facts, by name (wasm: simd, threads); add a field here, not a new top-level key. */
  extras: Record<string, Extra>;
  matmul: MatmulProbe | null;
}

export interface DoctorReport {
  tfjs_core: string;
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  /** What `--backend auto` picks on this machine, and why. */
  auto: { backend: EngineName; reason: string };
  /** The matmul probe's shape and time budget: `seconds` in total, split evenly over the backends that load. */
  probe: { m: number; k: number; n: number; seconds: number; seconds_per_backend: number };
  backends: BackendReport[];
}

/**
 * Backend-specific facts, read after the backend has loaded. One entry per backend that has any: a new fact
 * (say, the status of a native kernel) is one more key in the record its inspector returns.
 */
const inspectors: Partial<Record<EngineName, () => Promise<Record<string, Extra>>>> = {
  async wasm() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // feature flags the wasm package registers: SIMD from wasm-feature-detect; threads are off in Node by tfjs's choice
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    const extras: Record<string, Extra> = { simd, threads };
    if (tf.getBackend() === 'wasm') extras.threads_count = wasm.getThreadsCount();
    // the native kernel addon that takes over matmul and a few other kernels when it was built at install
    const native = nativeStatus();
    extras.native_kernels = native.loaded
      ? `${native.isa}, ${native.threads} thread${native.threads === 1 ? '' : 's'} per product`
      : `off (${native.reason})`;
    return extras;
  },
};

/**
 * Checks every backend: does it load (and why not), what it reports, what `auto` would pick, and the
 * throughput of a 2048x128x512 matmul on each one that loads. `seconds` is the probes' total time budget,
 * shared evenly by the backends that load; each still times at least one product after its warm-up.
 * Leaves the last probed backend active; a process that loaded webgpu should exit explicitly.
 */
export async function runDoctor(opts: {
  seconds: number;
  onProgress?: (message: string) => void;
}): Promise<DoctorReport> {
  const auto = await resolveAuto();
  const backends: BackendReport[] = [];
  for (const name of ENGINE_NAMES) {
    opts.onProgress?.(`loading ${name}`);
    const report: BackendReport = {
      name,
      loads: false,
      reason: null,
      adapter: null,
      package: null,
      extras: {},
      matmul: null,
    };
    try {
      const loaded = await loadBackend(name);
      report.loads = true;
      report.adapter = loaded.adapter ?? null;
      report.package = loaded.package ?? null;
    } catch (e) {
      report.reason = (e as Error).message;
    }
    backends.push(report);
  }
  const loadable = backends.filter((b) => b.loads);
  const perBackend = opts.seconds / Math.max(1, loadable.length);
  for (const b of loadable) {
    opts.onProgress?.(`probing ${b.name} (${perBackend.toFixed(1)} s)`);
    try {
      const mark = deviceErrorMark();
      await activateBackend(b.name);
      b.extras = { ...b.extras, ...((await inspectors[b.name]?.()) ?? {}) };
      b.matmul = await probeMatmul(perBackend);
      // on webgpu a program that fails is an event, and its output zeros: such a probe measured nothing
      throwOnDeviceErrors(mark, 'the matmul probe');
    } catch (e) {
      b.loads = false;
      b.reason = `loads, but fails to compute: ${(e as Error).message}`;
    }
  }
  const c = cpus();
  return {
    tfjs_core: tf.version_core,
    node: process.version,
    platform: `${platform()} ${cpuArch()}`,
    cpu: c[0]?.model?.trim() ?? 'unknown',
    cores: c.length,
    auto: { backend: auto.name, reason: auto.reason },
    probe: { ...PROBE_SHAPE, seconds: opts.seconds, seconds_per_backend: perBackend },
    backends,
  };
}

/**
 * GFLOP/s of `PROBE_SHAPE` products on the active backend within about `seconds`: one warm-up, then rounds
 * of products that double in count while time is left, each round ended by reading one element of its last
 * product (on webgpu that waits for the queue, so the time is the GPU's, not the enqueueing's).
 */
export async function probeMatmul(seconds: number): Promise<MatmulProbe> {
  const { m, k, n } = PROBE_SHAPE;
  const a = tf.randomUniform([m, k], -1, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomUniform([k, n], -1, 1, 'float32', 2) as tf.Tensor2D;
  const round = async (count: number) => {
    let last: tf.Tensor | null = null;
    for (let i = 0; i < count; i++) {
      last?.dispose();
      last = tf.matMul(a, b);
    }
    const corner = tf.slice(last as tf.Tensor2D, [0, 0], [1, 1]);
    await corner.data();
    tf.dispose([corner, last as tf.Tensor]);
  };
  try {
    await round(1); // warm-up: allocation, shader compilation
    const budget = seconds * 1000;
    const start = performance.now();
    let products = 0;
    let count = 1;
    while (products === 0 || performance.now() - start < budget) {
      const t0 = performance.now();
      await round(count);
      products += count;
      const took = performance.now() - t0;
      // grow the round while it is short against the time left, so the final read is a small share
      if (took * 4 < budget - (performance.now() - start)) count *= 2;
    }
    const elapsed = (performance.now() - start) / 1000;
    return { gflops: (2 * m * k * n * products) / elapsed / 1e9, products, seconds: elapsed };
  } finally {
    tf.dispose([a, b]);
  }
}
