/**
 * The native fused kernels against the composed tfjs ops they replace, forward + backward, on the wasm backend
 * with the native GEMM serving the composed path's products too (so only the fusion differs): one lm layer's
 * causal self-attention (qkv [2048, 384], 4 heads, T 64), the lm's softmax cross-entropy (logits [2048, 256])
 * and one of the t5's RMSNorms (x [2048, 128]).
 * The two versions alternate round by round and each row is the best round, since the machine may be shared.
 *
 * Run: `npx tsx bench/fused-kernels.ts`. Prints a Markdown table. Needs the native addon.
 */
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelsActive, selectBackend } from '../src/engine/backends.js';
import { rmsNorm, rmsNormComposed } from '../src/engine/ops.js';
import {
  attendComposed,
  causalMask,
  crossEntropy,
  crossEntropyComposed,
  selfAttend,
} from '../src/models/blocks.js';

await selectBackend('wasm');
if (!nativeKernelsActive()) {
  console.error('fused-kernels: the native addon is not active (build it with npm run build:native)');
  process.exit(2);
}
const [b, t, h, d, vocab] = [32, 64, 4, 128, 256];
const dims = { batch: b, tq: t, tk: t, heads: h };
const qkv = tf.randomNormal([b * t, 3 * d]) as tf.Tensor2D;
const w = tf.randomNormal([b * t, d]);
const mask = causalMask(t);
const logits = tf.randomNormal([b * t, vocab]) as tf.Tensor2D;
const gain = tf.randomNormal([d]) as tf.Tensor1D;
const targets = tf.tensor1d(
  Array.from({ length: b * t }, (_, i) => (i * 37) % vocab),
  'int32',
);

/** Each case: the loss whose gradient is taken, composed and fused, and the input it is taken at. */
const cases: {
  name: string;
  at: tf.Tensor;
  composed: (x: tf.Tensor) => tf.Scalar;
  fused: (x: tf.Tensor) => tf.Scalar;
}[] = [
  {
    name: 'attention, one lm layer (qkv [2048,384], 4 heads, causal)',
    at: qkv,
    composed: (x) => {
      const [q, k, v] = tf.split(x, 3, 1) as tf.Tensor2D[];
      return tf.sum(tf.mul(attendComposed(q, k, v, dims, mask), w));
    },
    fused: (x) => tf.sum(tf.mul(selfAttend(x as tf.Tensor2D, dims, mask), w)),
  },
  {
    name: 'softmax cross-entropy (logits [2048,256])',
    at: logits,
    composed: (x) => crossEntropyComposed(x as tf.Tensor2D, targets, vocab),
    fused: (x) => crossEntropy(x as tf.Tensor2D, targets, vocab),
  },
  {
    name: 'RMSNorm, one t5 norm (x [2048,128])',
    at: w,
    composed: (x) => tf.sum(tf.mul(rmsNormComposed(x, gain), w)),
    fused: (x) => tf.sum(tf.mul(rmsNorm(x, gain), w)),
  },
];

/** Milliseconds of one forward + backward of `f` at `x`, averaged over `reps`. */
function time(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, reps: number): number {
  const g = tf.grad(f);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) tf.dispose(g(x));
  return (performance.now() - t0) / reps;
}

console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, tfjs ${tf.version_core}\n`,
);
console.log('| forward + backward | composed tfjs ops, ms | fused native kernel, ms | speed-up |');
console.log('|---|---|---|---|');
for (const c of cases) {
  time(c.composed, c.at, 3);
  time(c.fused, c.at, 3);
  let composed = Number.POSITIVE_INFINITY;
  let fused = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    composed = Math.min(composed, time(c.composed, c.at, 10));
    fused = Math.min(fused, time(c.fused, c.at, 10));
  }
  console.log(
    `| ${c.name} | ${composed.toFixed(2)} | ${fused.toFixed(2)} | ${(composed / fused).toFixed(1)}x |`,
  );
}
