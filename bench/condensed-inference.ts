/**
 * Condensed inference for constant fan-in layers (SRigL's claim, Lasby et al. 2023, arXiv:2305.02299): a layer
 * whose output neurons each keep k inputs is stored as [n_active, k] weights + input indices, and y = x·W costs
 * n_active·k multiply-adds instead of n_in·n_out. Times one linear layer's forward pass, dense masked versus
 * condensed, on the CPU, in the same run:
 * - dense, tfjs wasm: `tf.matMul` on the wasm backend (XNNPACK), the path training uses;
 * - dense, JS: a plain loop over all n_in·n_out weights (zeros included);
 * - condensed, JS: `condensedMatmul` (src/sparsity/condensed.ts);
 * - condensed, tfjs wasm: gather the k inputs of each neuron, multiply, sum.
 * Layers: the reference lm's MLP [128, 512] and a ViT-B/BERT-base MLP [768, 3072]; batch 1 (online
 * inference, SRigL's headline setting) and 32; sparsity 0.5-0.95. Median time per forward pass.
 *
 * Run: `npx tsx bench/condensed-inference.ts`. Prints a Markdown table.
 */
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backends.js';
import { condense, condensedMatmul, denseMatmul } from '../src/sparsity/condensed.js';
import { constantFanIn } from '../src/sparsity/patterns/constant-fan-in.js';
import { Rng } from '../src/util/rng.js';

const LAYERS: [number, number][] = [
  [128, 512],
  [768, 3072],
];
const BATCHES = [1, 32];
const SPARSITIES = [0.5, 0.8, 0.9, 0.95];
/** Wall time per measurement; each is repeated and the median reported. */
const BUDGET_MS = 250;
const REPEATS = 5;

/** Median over REPEATS of the mean time of one call (µs), each repeat running about BUDGET_MS. */
function time(f: () => void): number {
  for (let i = 0; i < 3; i++) f(); // warm-up (JIT, wasm kernels)
  const t0 = performance.now();
  f();
  const one = Math.max(1e-3, performance.now() - t0);
  const n = Math.max(1, Math.round(BUDGET_MS / REPEATS / one));
  const samples: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const s = performance.now();
    for (let i = 0; i < n; i++) f();
    samples.push(((performance.now() - s) / n) * 1000);
  }
  return samples.sort((a, b) => a - b)[Math.floor(REPEATS / 2)];
}

const fmt = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);

async function main() {
  await selectBackend('wasm');
  const rng = Rng.seeded(0);
  const rows: string[] = [];
  for (const [nIn, nOut] of LAYERS) {
    const w0 = rng.normalArray(nIn * nOut, 1);
    for (const s of SPARSITIES) {
      const mask = constantFanIn.select(w0.map(Math.abs), [nIn, nOut], s, {});
      const w = w0.map((v, i) => (mask[i] ? v : 0));
      const c = condense(w, mask, [nIn, nOut]);
      const wT = tf.tensor2d(w, [nIn, nOut]);
      const valuesT = tf.tensor2d(c.values, [c.neurons.length, c.k]);
      const indicesT = tf.tensor1d(c.indices, 'int32');
      for (const batch of BATCHES) {
        const x = rng.normalArray(batch * nIn, 1);
        const xT = tf.tensor2d(x, [batch, nIn]);
        const check = condensedMatmul(x, batch, c);
        const ref = denseMatmul(x, batch, w, [nIn, nOut]);
        const err = ref.reduce((m, v, i) => Math.max(m, Math.abs(v - check[i])), 0);
        if (err > 1e-3) throw new Error(`condensed and dense disagree by ${err}`);
        const denseTf = time(() => tf.tidy(() => tf.matMul(xT, wT)).dataSync());
        const denseJs = time(() => denseMatmul(x, batch, w, [nIn, nOut]));
        const condJs = time(() => condensedMatmul(x, batch, c));
        const condTf = time(() =>
          tf
            .tidy(() => {
              const g = tf.reshape(tf.gather(xT, indicesT, 1), [batch, c.neurons.length, c.k]); // [B, nA, k]
              return tf.sum(tf.mul(g, valuesT), 2); // [B, nA]
            })
            .dataSync(),
        );
        const best = Math.min(condJs, condTf);
        rows.push(
          `| [${nIn}, ${nOut}] | ${batch} | ${s} | ${c.k} | ${fmt(denseTf)} | ${fmt(denseJs)} | ${fmt(condJs)} | ${fmt(condTf)} | ${(denseJs / condJs).toFixed(1)}x | ${(denseTf / best).toFixed(2)}x |`,
        );
        xT.dispose();
      }
      tf.dispose([wT, valuesT, indicesT]);
    }
  }
  console.log(
    `CPU: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}; Node ${process.version}; tfjs ${tf.version_core}`,
  );
  console.log('');
  console.log(
    '| layer [n_in, n_out] | batch | sparsity | k | dense, tfjs wasm | dense, JS | condensed, JS | condensed, tfjs wasm | speed-up, JS: condensed vs dense | speed-up, best condensed vs dense tfjs wasm |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
