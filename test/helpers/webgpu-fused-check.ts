/**
 * Child process of test/engine/webgpu-fused.test.ts (a process that loads Dawn stays alive until it exits, so the
 * test runs this apart): on the webgpu backend, each fused WGSL op against the composed tfjs ops it replaces,
 * values and gradients, on shapes chosen to hit the programs' edges. Prints one JSON line: per case, the largest
 * absolute difference, the reference's largest magnitude, whether every value was finite, and how many programs
 * each path recorded.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/engine/backends.js';
import { gelu, layerNorm, rmsNorm } from '../../src/engine/ops.js';
import { describeDeviceErrors } from '../../src/engine/webgpu-errors.js';
import { attend, causalMask, crossAttend, crossEntropy, selfAttend } from '../../src/models/blocks.js';
import { clipScaleOnDevice } from '../../src/train/device-adamw.js';
import { Rng } from '../../src/util/rng.js';

const info = await selectBackend('webgpu');
const rng = Rng.seeded(7, 7);
const normal = (shape: number[], scale = 1) =>
  tf.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale),
    shape,
  );

let programs = 0;
// biome-ignore lint/suspicious/noExplicitAny: counting calls into the backend's program runner
const backend = tf.backend() as any;
const run = backend.runWebGPUProgram.bind(backend);
// biome-ignore lint/suspicious/noExplicitAny: see above
backend.runWebGPUProgram = (...args: any[]) => {
  programs++;
  return run(...args);
};

/** A case: a scalar loss of some inputs (a weighted sum, so each output gets its own upstream gradient). */
interface Case {
  name: string;
  inputs: tf.Tensor[];
  loss: (...xs: tf.Tensor[]) => tf.Scalar;
}

/** Loss value and gradients with the fused ops on or off; every tensor read back. */
async function evaluate(c: Case, fused: boolean): Promise<{ values: Float32Array[]; programs: number }> {
  process.env.SPARSEBENCH_WEBGPU_FUSED = fused ? '1' : '0';
  programs = 0;
  const { value, grads } = tf.valueAndGrads(c.loss)(c.inputs);
  const count = programs;
  const values = (await Promise.all([value, ...grads].map((t) => t.data()))) as Float32Array[];
  tf.dispose([value, ...grads]);
  return { values, programs: count };
}

const weighted = (y: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(y, w)) as tf.Scalar;

function normCase(name: string, shape: number[]): Case {
  const d = shape[shape.length - 1];
  const w = normal(shape);
  return {
    name: `layerNorm ${name} [${shape}]`,
    inputs: [normal(shape, 3), normal([d]), normal([d])],
    loss: (x, g, b) => weighted(layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D), w),
  };
}

function rmsCase(name: string, shape: number[]): Case {
  const d = shape[shape.length - 1];
  const w = normal(shape);
  return {
    name: `rmsNorm ${name} [${shape}]`,
    inputs: [normal(shape, 3), normal([d])],
    loss: (x, g) => weighted(rmsNorm(x, g as tf.Tensor1D), w),
  };
}

function crossEntropyCase(rows: number, classes: number): Case {
  const targets = tf.tensor1d(
    Array.from({ length: rows }, () => Math.floor(rng.uniform() * classes)),
    'int32',
  );
  return {
    name: `crossEntropy [${rows},${classes}]`,
    inputs: [normal([rows, classes], 4)],
    loss: (logits) => crossEntropy(logits as tf.Tensor2D, targets, classes),
  };
}

/** Attention in each layout and bias mode: dims, operand shapes and a bias of the given shape (or none). */
function attentionCase(
  layout: 'qkv' | 'q+kv' | 'separate',
  dims: { batch: number; tq: number; tk: number; heads: number },
  d: number,
  bias: tf.Tensor | null,
): Case {
  const w = normal([dims.batch * dims.tq, d]);
  const rowsQ = dims.batch * dims.tq;
  const rowsK = dims.batch * dims.tk;
  const name = `attention ${layout}, bias ${bias ? `[${bias.shape}]` : 'none'}, ${JSON.stringify(dims)}`;
  const extra = bias ? [bias] : [];
  if (layout === 'qkv')
    return {
      name,
      inputs: [normal([rowsQ, 3 * d]), ...extra],
      loss: (qkv, b) => weighted(selfAttend(qkv as tf.Tensor2D, dims, b), w),
    };
  if (layout === 'q+kv')
    return {
      name,
      inputs: [normal([rowsQ, d]), normal([rowsK, 2 * d]), ...extra],
      loss: (q, kv, b) => weighted(crossAttend(q as tf.Tensor2D, kv as tf.Tensor2D, dims, b), w),
    };
  // separate q, k, v: the t5's relative-position form is [1, H, Tq, Tk]; [B, H, Tq, Tk] is the general one
  return {
    name,
    inputs: [normal([rowsQ, d]), normal([rowsK, d]), normal([rowsK, d]), ...extra],
    loss: (q, k, v, b) => weighted(attend(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, dims, b), w),
  };
}

const geluWeights = normal([4000]);
const cases: Case[] = [
  normCase('rank 3, 100 columns', [3, 5, 100]),
  normCase('fewer columns than lanes', [300, 8]),
  // more rows than one dispatch dimension holds (65535 workgroups): the dispatch is reshaped
  normCase('70000 rows', [70000, 4]),
  rmsCase('rank 3, 100 columns', [3, 5, 100]),
  rmsCase('70000 rows', [70000, 3]),
  {
    name: 'gelu, |x| up to 30',
    inputs: [normal([4000], 10)],
    loss: (x) => weighted(gelu(x), geluWeights),
  },
  crossEntropyCase(37, 300),
  crossEntropyCase(70000, 5),
  attentionCase('qkv', { batch: 2, tq: 70, tk: 70, heads: 3 }, 12, causalMask(70)),
  attentionCase('qkv', { batch: 3, tq: 5, tk: 5, heads: 2 }, 8, null),
  attentionCase('q+kv', { batch: 2, tq: 9, tk: 67, heads: 2 }, 6, null),
  attentionCase('separate', { batch: 2, tq: 7, tk: 11, heads: 4 }, 8, normal([1, 4, 7, 11])),
  attentionCase('separate', { batch: 2, tq: 3, tk: 66, heads: 2 }, 4, normal([2, 2, 3, 66])),
];

const results = [];
for (const c of cases) {
  const fused = await evaluate(c, true);
  const composed = await evaluate(c, false);
  let maxAbs = 0;
  let scale = 0;
  let finite = true;
  fused.values.forEach((got, k) => {
    const want = composed.values[k];
    for (let i = 0; i < want.length; i++) {
      if (!Number.isFinite(got[i])) finite = false;
      maxAbs = Math.max(maxAbs, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
  });
  results.push({ name: c.name, maxAbs, scale, finite, programs: [fused.programs, composed.programs] });
}

// the optimizer's clipping scale: 60 gradients need a second level of partial sums (more than 7 groups of 7)
// every third gradient masked (a 0/1 mask of its shape): its pruned entries stay out of the norm
const grads = Array.from({ length: 60 }, (_, i) => {
  const grad = normal(i % 3 === 0 ? [1] : i % 3 === 1 ? [63, 5] : [20000], 0.01);
  if (i % 3 !== 1) return { grad, mask: null };
  return { grad, mask: tf.tidy(() => tf.cast(tf.greater(normal(grad.shape, 1), 0), 'float32')) };
});
for (const maxNorm of [0.5, 1e3]) {
  const scales: number[] = [];
  const counts: number[] = [];
  for (const kernels of ['webgpu', 'ops'] as const) {
    programs = 0;
    const scale = clipScaleOnDevice(grads, maxNorm, kernels);
    counts.push(programs);
    scales.push((await scale.data())[0]);
    scale.dispose();
  }
  results.push({
    name: `clipScale at max norm ${maxNorm} (scale ${scales[1].toPrecision(4)})`,
    maxAbs: Math.abs(scales[0] - scales[1]),
    scale: Math.abs(scales[1]),
    finite: Number.isFinite(scales[0]),
    programs: counts,
  });
}

// Dawn reports a program that does not compile as an event (and prints it on stdout), never as a throw
const deviceErrors = describeDeviceErrors(0);
process.stdout.write(
  `${JSON.stringify({ kernels: info.kernels, adapter: info.adapter, results, deviceErrors })}\n`,
);
process.exit(0);
