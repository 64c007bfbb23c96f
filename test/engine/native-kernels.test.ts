import { afterEach, describe, expect, it } from 'vitest';
import type { TrialSpec } from '../../src/config/trial-spec.js';
import { nativeKernelsActive, selectBackend } from '../../src/engine/backends.js';
import { RMS_NORM_GRAD_KERNEL, RMS_NORM_KERNEL } from '../../src/engine/kernels/rms-norm-native.js';
import { nativeStatus } from '../../src/engine/native.js';
import { gelu, layerNorm, rmsNorm } from '../../src/engine/ops.js';
import type { MetricPoint } from '../../src/store/types.js';
import { trainTrial } from '../../src/train/trainer.js';
import { Rng } from '../../src/util/rng.js';
import { planOf, tinySyntheticConfig } from '../helpers/config.js';
import { skipNative, skipReason } from '../helpers/native.js';
import { onBackend, tf } from '../helpers/tf.js';

/** Shapes of tf.matMul calls: (a, b, transposeA, transposeB), covering ranks, transposes and broadcasts. */
const cases: [number[], number[], boolean, boolean][] = [
  [[3, 5], [5, 7], false, false],
  [[5, 3], [5, 7], true, false],
  [[3, 5], [7, 5], false, true],
  [[5, 3], [7, 5], true, true],
  [[4, 17, 9], [4, 9, 33], false, false], // attention-like batch
  [[4, 9, 17], [4, 33, 9], true, true],
  [[2, 3, 6, 5], [2, 3, 5, 4], false, false], // rank 4: batch dims flattened
  [[1, 6, 5], [3, 5, 4], false, false], // batch-1 operand broadcast
  [[3, 6, 5], [5, 4], false, false], // rank 3 times rank 2
  [[6, 5], [3, 4, 5], false, true],
  [[0, 5], [5, 3], false, false], // empty output
  [[4, 0], [0, 3], false, false], // K = 0: zeros
];

async function product(backend: 'cpu' | 'wasm', [sa, sb, ta, tb]: (typeof cases)[number]) {
  return onBackend(backend, () => {
    const r = Rng.seeded(sa.length * 100 + sb.length);
    const a = tf.tensor(
      r.normalArray(
        sa.reduce((x, y) => x * y, 1),
        1,
      ),
      sa,
    );
    const b = tf.tensor(
      r.normalArray(
        sb.reduce((x, y) => x * y, 1),
        1,
      ),
      sb,
    );
    const c = tf.matMul(a, b, ta, tb);
    const out = { shape: c.shape, values: Array.from(c.dataSync()) };
    tf.dispose([a, b, c]);
    return out;
  });
}

async function trainLosses(spec: TrialSpec): Promise<number[]> {
  const points: MetricPoint[] = [];
  const out = await trainTrial(spec, { onMetrics: (p) => points.push(...p) });
  points.push(...out.lastPoints);
  return points.filter((p) => p.name === 'train_loss').map((p) => p.value);
}

function expectClose(a: number[], b: number[], tol: number): void {
  expect(a.length).toBe(b.length);
  for (const [i, v] of a.entries()) expect(Math.abs(v - b[i])).toBeLessThan(tol);
}

/** A tiny lm over synthetic data, 50% sparse: dozens of steps, every matmul shape of the model. */
const lmSpec = () => planOf(tinySyntheticConfig()).trials.find((t) => t.spec.sparsity === 0.5)!.spec;

describe.skipIf(skipNative)(`native kernels on the wasm backend${skipReason}`, () => {
  it('are reported in BackendInfo and take over matmul', async () => {
    const info = await selectBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(info.kernels).toBe(`native-${nativeStatus().isa}`);
    expect(nativeKernelsActive()).toBe(true);
    await selectBackend('cpu');
    expect(nativeKernelsActive()).toBe(false);
  });

  for (const c of cases)
    it(`matMul ${JSON.stringify(c[0])} x ${JSON.stringify(c[1])} transA=${c[2]} transB=${c[3]} equals cpu`, async () => {
      const want = await product('cpu', c);
      const got = await product('wasm', c);
      expect(got.shape).toEqual(want.shape);
      expectClose(got.values, want.values, 1e-4);
    });

  it('tanh equals cpu to 1e-6 over the whole range, keeping its sign and its saturation', async () => {
    const xs = Array.from({ length: 4001 }, (_, i) => (i - 2000) / 100); // -20 .. 20 in steps of 0.01
    const run = () => Array.from(tf.tanh(tf.tensor1d([...xs, 1e-30, -1e-30, 0])).dataSync());
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expectClose(got, want, 1e-6);
    expect(got.at(-3)).toBeGreaterThan(0);
    expect(got[0]).toBe(-1);
  });

  it('exp equals cpu to 1e-6 relative, with 0, inf and NaN where float has them', async () => {
    const xs = [...Array.from({ length: 2001 }, (_, i) => (i - 1000) / 10), -200, 100, Number.NaN];
    const run = () => Array.from(tf.exp(tf.tensor1d(xs)).dataSync());
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    for (const [i, w] of want.entries()) {
      if (!Number.isFinite(w)) expect(got[i]).toBe(w);
      else expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(1e-6 * w + 1e-30);
    }
  });

  it('gelu (fused) has the value and gradient of the composed ops on cpu', async () => {
    const xs = Array.from({ length: 801 }, (_, i) => (i - 400) / 40); // -10 .. 10
    const run = () => {
      const x = tf.tensor1d(xs);
      const w = tf.tensor1d(xs.map((v) => Math.cos(v)));
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t), w)))(x);
      return { y: Array.from(gelu(x).dataSync()), g: Array.from(g.dataSync()) };
    };
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expectClose(got.y, want.y, 1e-5);
    expectClose(got.g, want.g, 1e-5);
  });

  it('layer norm (fused) has the value and gradients of the composed ops on cpu, and leaks no tensors', async () => {
    const r = Rng.seeded(11);
    const [xs, gs, bs, ws] = [
      r.normalArray(6 * 40, 2),
      r.normalArray(40, 1),
      r.normalArray(40, 1),
      r.normalArray(6 * 40, 1),
    ];
    const run = () => {
      const x = tf.add(tf.tensor2d(xs, [6, 40]), 3); // an offset mean, as residual streams have
      const [g, b, w] = [tf.tensor1d(gs), tf.tensor1d(bs), tf.tensor2d(ws, [6, 40])];
      const f = (a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(layerNorm(a, gg as tf.Tensor1D, bb as tf.Tensor1D), w));
      const before = tf.memory().numTensors;
      const grads = tf.tidy(() => tf.grads(f as never)([x, g, b]));
      const leaked = tf.memory().numTensors - before - grads.length;
      return {
        y: Array.from(layerNorm(x, g, b).dataSync()),
        grads: grads.map((t) => Array.from(t.dataSync())),
        leaked,
      };
    };
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expectClose(got.y, want.y, 1e-5);
    for (const [i, gr] of got.grads.entries()) expectClose(gr, want.grads[i], 1e-4);
    expect(got.leaked).toBe(0);
  });

  it('RMSNorm (fused) has the value and gradients of the composed ops on cpu, and leaks no tensors', async () => {
    const r = Rng.seeded(12);
    /** |a - b| within tol of max(1, |b|): the tiny rows below have gradients in the hundreds. */
    const closeRel = (a: number[], b: number[], tol: number) => {
      expect(a.length).toBe(b.length);
      for (const [i, v] of a.entries())
        expect(Math.abs(v - b[i])).toBeLessThan(tol * Math.max(1, Math.abs(b[i])));
    };
    // 40 columns: five 8-wide lanes; 43: lanes and a tail; rank 3 rows flattened. Row 0 is scaled to ~1e-4, so
    // eps (1e-6) dominates its mean square and a wrong eps shows; row 1 is all zeros.
    for (const shape of [
      [6, 40],
      [5, 43],
      [2, 3, 43],
    ]) {
      const d = shape[shape.length - 1];
      const n = shape.reduce((p, q) => p * q, 1);
      const xs = r.normalArray(n, 2).map((v, i) => (i < d ? v * 5e-5 : i < 2 * d ? 0 : v + 0.5));
      const [gs, ws] = [r.normalArray(d, 1), r.normalArray(n, 1)];
      const run = async () => {
        const x = tf.tensor(xs, shape);
        const [g, w] = [tf.tensor1d(gs), tf.tensor(ws, shape)];
        const f = (a: tf.Tensor, gg: tf.Tensor) => tf.sum(tf.mul(rmsNorm(a, gg as tf.Tensor1D), w));
        const before = tf.memory().numTensors;
        const grads = tf.tidy(() => tf.grads(f as never)([x, g]));
        const leaked = tf.memory().numTensors - before - grads.length;
        const profile = await tf.profile(() => tf.tidy(() => tf.grads(f as never)([x, g])));
        return {
          y: Array.from(rmsNorm(x, g).dataSync()),
          grads: grads.map((t) => Array.from(t.dataSync())),
          leaked,
          kernels: profile.kernelNames,
        };
      };
      const want = await onBackend('cpu', run);
      const got = await onBackend('wasm', run);
      // the wasm side really ran the fused kernels (the cpu side, the composed ops)
      expect(got.kernels).toEqual(expect.arrayContaining([RMS_NORM_KERNEL, RMS_NORM_GRAD_KERNEL]));
      expect(want.kernels).not.toContain(RMS_NORM_KERNEL);
      closeRel(got.y, want.y, 1e-5);
      for (const [i, gr] of got.grads.entries()) closeRel(gr, want.grads[i], 1e-4);
      expect(got.leaked).toBe(0);
    }
  });

  const sums: [number[], number | number[], boolean][] = [
    [[7, 5], 0, false], // bias gradient: native
    [[7, 5], [0], true],
    [[2, 3, 4], [1, 0], false], // leading axes in any order: native
    [[2, 3, 4], [-3], true],
    [[7, 5], 1, false], // trailing, scattered and all axes: tfjs's kernel
    [[2, 3, 4], [0, 2], false],
    [[2, 3, 4], [0, 1, 2], false],
  ];
  for (const [shape, axis, keepDims] of sums)
    it(`sum of ${JSON.stringify(shape)} over ${JSON.stringify(axis)} keepDims=${keepDims} equals cpu`, async () => {
      const run = () => {
        const x = tf.tensor(
          Rng.seeded(5).normalArray(
            shape.reduce((p, q) => p * q, 1),
            1,
          ),
          shape,
        );
        const y = tf.sum(x, axis, keepDims);
        return { shape: y.shape, values: Array.from(y.dataSync()) };
      };
      const want = await onBackend('cpu', run);
      const got = await onBackend('wasm', run);
      expect(got.shape).toEqual(want.shape);
      expectClose(got.values, want.values, 1e-5);
    });

  it('trains the lm to the same losses as the cpu backend (1e-4)', async () => {
    const spec = lmSpec();
    const onWasm = await trainLosses({ ...spec, backend: 'wasm' });
    const onCpu = await trainLosses({ ...spec, backend: 'cpu' });
    expect(onWasm.length).toBe(spec.steps);
    expectClose(onWasm, onCpu, 1e-4);
  });
});

describe('SPARSEBENCH_NATIVE=0 falls back to the tfjs wasm kernels', () => {
  const saved = process.env.SPARSEBENCH_NATIVE;
  afterEach(async () => {
    if (saved === undefined) delete process.env.SPARSEBENCH_NATIVE;
    else process.env.SPARSEBENCH_NATIVE = saved;
    await selectBackend('wasm'); // re-installs the native kernels for later tests, when built
  });

  it('reports xnnpack, computes the same products and trains to the cpu losses', async () => {
    process.env.SPARSEBENCH_NATIVE = '0';
    const info = await selectBackend('wasm');
    expect(info.kernels).toBe('xnnpack');
    expect(nativeKernelsActive()).toBe(false);
    expect(nativeStatus()).toMatchObject({ loaded: false, reason: 'disabled by SPARSEBENCH_NATIVE=0' });
    for (const c of cases.slice(0, 9)) {
      const want = await product('cpu', c);
      expectClose((await product('wasm', c)).values, want.values, 1e-4);
    }
    const spec = lmSpec();
    expectClose(
      await trainLosses({ ...spec, backend: 'wasm' }),
      await trainLosses({ ...spec, backend: 'cpu' }),
      1e-4,
    );
  });
});
