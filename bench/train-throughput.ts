/**
 * Training throughput of the reference trial (lm: vocab 256, d_model 128, 4 layers, 4 heads, d_ff 512,
 * seq 64, batch 32; ENGINE.md's reference model) on each CPU backend, with the backend's plain 2-D matmul
 * speed measured in the same run as the ceiling to compare against.
 *
 * Run: `npm run bench:train` (or `npx tsx bench/train-throughput.ts [backend ...]`). Prints a Markdown table.
 */
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { TrialSpec } from '../src/config/trial-spec.js';
import { selectBackend } from '../src/engine/backends.js';
import { type LmShape, lmFamily } from '../src/models/lm.js';
import { DENSE_SPEC, resolvePrunerSpec } from '../src/sparsity/spec.js';
import { trainTrial } from '../src/train/trainer.js';

type Backend = 'wasm' | 'cpu';
const backends = (process.argv.slice(2) as Backend[]).filter((b) => b === 'wasm' || b === 'cpu');
const chosen: Backend[] = backends.length ? backends : ['wasm', 'cpu'];
/** Steps timed per backend (after WARMUP untimed ones); cpu is ~15x slower. */
const STEPS: Record<Backend, number> = { wasm: 30, cpu: 2 };
const WARMUP: Record<Backend, number> = { wasm: 3, cpu: 1 };

function referenceSpec(backend: Backend, sparsity: number, steps: number): TrialSpec {
  return {
    spec_version: 1,
    model: {
      family: 'lm',
      vocab_size: 256,
      seq_len: 64,
      d_model: 128,
      n_layers: 4,
      n_heads: 4,
      d_ff: 512,
      tied_embeddings: true,
    },
    data: { source: 'brown', validation_fraction: 0.05 },
    sparsity,
    nonzero_params: 786_432 * (1 - sparsity),
    tokens: steps * 32 * 64,
    steps,
    batch_size: 32,
    seq_len: 64,
    optimizer: { name: 'adamw', lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1 },
    lr_schedule: { name: 'cosine', warmup: 0.05, min_lr_ratio: 0.1 },
    grad_clip: 1,
    eval: { interval: 1_000_000, tokens: 64 },
    // masks reach their target at step 1 and stay: the timed steps run with the sparse masks applied
    pruner:
      sparsity === 0
        ? DENSE_SPEC
        : resolvePrunerSpec(
            { name: 'gmp', options: {}, schedule: { start: 0, end: 0, interval: 1 } },
            sparsity,
          ),
    seed: 0,
    backend,
  };
}

/** Tokens/s over the timed steps (the warm-up steps and the final evaluation excluded). */
async function trainingSpeed(backend: Backend, sparsity: number): Promise<number> {
  const warmup = WARMUP[backend];
  const steps = warmup + STEPS[backend];
  let t0 = 0;
  let t1 = 0;
  await trainTrial(referenceSpec(backend, sparsity, steps), {
    onProgress: (p) => {
      if (p.step === warmup) t0 = performance.now();
      if (p.step === steps) t1 = performance.now();
    },
  });
  return (STEPS[backend] * 32 * 64) / ((t1 - t0) / 1000);
}

/** GFLOP/s of a plain [2048,128]·[128,512] product: the fast path every model matmul aims for. */
async function matmulCeiling(backend: Backend): Promise<number> {
  await selectBackend(backend);
  const a = tf.randomNormal([2048, 128]);
  const b = tf.randomNormal([128, 512]);
  const reps = backend === 'wasm' ? 50 : 5;
  tf.matMul(a, b).dispose();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([a, b]);
  return (2 * 2048 * 128 * 512 * reps) / seconds / 1e9;
}

const fwd = lmFamily.forwardFlopsPerUnit(referenceSpec('wasm', 0, 1).model as LmShape);
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, tfjs ${tf.version_core}`,
);
console.log(`reference model: ${(fwd / 1e6).toFixed(2)} MFLOP forward per token (x3 for a training step)\n`);
console.log(
  '| backend | sparsity | training tokens/s | model GFLOP/s | plain matmul GFLOP/s (ceiling) | share of ceiling |',
);
console.log('|---|---|---|---|---|---|');
for (const backend of chosen) {
  const ceiling = await matmulCeiling(backend);
  for (const sparsity of [0, 0.75]) {
    const tps = await trainingSpeed(backend, sparsity);
    const gflops = (tps * 3 * fwd) / 1e9;
    console.log(
      `| ${backend} | ${sparsity} | ${tps.toFixed(0)} | ${gflops.toFixed(2)} | ${ceiling.toFixed(1)} | ${((100 * gflops) / ceiling).toFixed(0)}% |`,
    );
  }
}
process.exit(0);
