/**
 * Training throughput of reference models of each family through the real trainer (AdamW, clipping, masks),
 * dense and 75% sparse, with the backend's plain 2-D matmul speed measured in the same run as the ceiling.
 * - lm: ENGINE.md's reference (vocab 256, d_model 128, 4 layers, 4 heads, d_ff 512, seq 64, batch 32), wasm and cpu;
 * - t5: d_model 128, 2 encoder + 2 decoder layers, 4 heads, d_ff 512, input 64 tokens, batch 32, wasm;
 * - vit: MNIST 28x28 in 7x7 patches + class token, d_model 128, 4 layers, 4 heads, d_ff 512, batch 32, wasm.
 *
 * Run: `npm run bench:train` (or `npx tsx bench/train-throughput.ts [lm|t5|vit ...] [--backends=wasm]`).
 * Prints a Markdown table. On wasm the ceiling is measured through the kernels in use: the native GEMM when
 * the addon is built (SPARSEBENCH_NATIVE=0 switches it off), else tfjs's XNNPACK.
 */
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { TrialSpec } from '../src/config/trial-spec.js';
import { layoutForInput } from '../src/data/span-corruption.js';
import { selectBackend } from '../src/engine/backends.js';
import { families } from '../src/models/registry.js';
import { DENSE_SPEC, resolvePrunerSpec } from '../src/sparsity/spec.js';
import { trainTrial } from '../src/train/trainer.js';

type Backend = 'wasm' | 'cpu';
/** Steps timed per backend (after the warm-up ones); cpu is ~30x slower. */
const STEPS: Record<Backend, number> = { wasm: 20, cpu: 2 };
const WARMUP: Record<Backend, number> = { wasm: 3, cpu: 1 };
const core = { d_model: 128, n_heads: 4, d_ff: 512 };
const t5Layout = layoutForInput(64, 0.15, 3);

const references: {
  name: string;
  backends: Backend[];
  model: TrialSpec['model'];
  data: TrialSpec['data'];
}[] = [
  {
    name: 'lm',
    backends: ['wasm', 'cpu'],
    model: { family: 'lm', vocab_size: 256, seq_len: 64, ...core, n_layers: 4, tied_embeddings: true },
    data: { source: 'brown', validation_fraction: 0.05 },
  },
  {
    name: 't5',
    backends: ['wasm'],
    model: {
      family: 't5',
      vocab_size: 258 + t5Layout.spans,
      ...core,
      n_layers: 2,
      input_len: t5Layout.inputLen,
      target_len: t5Layout.targetLen,
      noise_density: 0.15,
      mean_span_length: 3,
      rel_buckets: 32,
      rel_max_distance: 128,
      ff_activation: 'relu',
    },
    data: { source: 'brown', validation_fraction: 0.05 },
  },
  {
    name: 'vit',
    backends: ['wasm'],
    model: {
      family: 'vit',
      image_height: 28,
      image_width: 28,
      channels: 1,
      patch_size: 7,
      classes: 10,
      ...core,
      n_layers: 4,
      pooling: 'cls',
    },
    data: { source: 'mnist', validation_fraction: 0.1 },
  },
];

function spec(
  ref: (typeof references)[number],
  backend: Backend,
  sparsity: number,
  steps: number,
): TrialSpec {
  return {
    spec_version: 1,
    model: ref.model,
    data: ref.data,
    sparsity,
    nonzero_params: 1,
    tokens: 1,
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

/** D units per second over the timed steps (the warm-up steps and the final evaluation excluded). */
async function speed(ref: (typeof references)[number], backend: Backend, sparsity: number): Promise<number> {
  const warmup = WARMUP[backend];
  const steps = warmup + STEPS[backend];
  const s = spec(ref, backend, sparsity, steps);
  const units = families[ref.model.family].unitsPerBatch(s);
  let t0 = 0;
  let t1 = 0;
  await trainTrial(s, {
    onProgress: (p) => {
      if (p.step === warmup) t0 = performance.now();
      if (p.step === steps) t1 = performance.now();
    },
  });
  return (STEPS[backend] * units) / ((t1 - t0) / 1000);
}

/**
 * GFLOP/s of a plain [2048,128]·[128,512] product through the kernels in use: the fast path every model
 * matmul aims for. Best of 3 rounds after a warm-up, since the machine may be shared.
 */
async function matmulCeiling(backend: Backend): Promise<{ gflops: number; kernels: string }> {
  const { kernels } = await selectBackend(backend);
  const a = tf.randomNormal([2048, 128]);
  const b = tf.randomNormal([128, 512]);
  const reps = backend === 'wasm' ? 30 : 3;
  // wasm and cpu compute synchronously: the product is done when matMul returns, so nothing is read back
  // (reading the result, or even a slice of it, cost as much as the product itself on wasm).
  const once = () => tf.matMul(a, b).dispose();
  for (let i = 0; i < 3; i++) once();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) once();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  tf.dispose([a, b]);
  return { gflops: (2 * 2048 * 128 * 512 * reps) / best / 1e9, kernels };
}

const args = process.argv.slice(2);
const wanted = args.filter((a) => !a.startsWith('--'));
const onlyBackends = args
  .find((a) => a.startsWith('--backends='))
  ?.slice('--backends='.length)
  .split(',');
const chosen = references
  .filter((r) => wanted.length === 0 || wanted.includes(r.name))
  .map((r) => ({ ...r, backends: r.backends.filter((b) => !onlyBackends || onlyBackends.includes(b)) }));
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, tfjs ${tf.version_core}\n`,
);
console.log(
  '| family | backend | sparsity | training units/s | model GFLOP/s | plain matmul GFLOP/s (ceiling) | share of ceiling |',
);
console.log('|---|---|---|---|---|---|---|');
const ceilings = new Map<Backend, { gflops: number; kernels: string }>();
for (const ref of chosen) {
  const unit = families[ref.model.family].unit === 'images' ? 'images/s' : 'tokens/s';
  const fwd = families[ref.model.family].model.forwardFlopsPerUnit(ref.model);
  for (const backend of ref.backends) {
    if (!ceilings.has(backend)) ceilings.set(backend, await matmulCeiling(backend));
    const { gflops: ceiling, kernels } = ceilings.get(backend)!;
    for (const sparsity of [0, 0.75]) {
      const ups = await speed(ref, backend, sparsity);
      const gflops = (ups * 3 * fwd) / 1e9;
      console.log(
        `| ${ref.name} | ${backend} (${kernels}) | ${sparsity} | ${ups.toFixed(0)} ${unit} | ${gflops.toFixed(2)} | ${ceiling.toFixed(1)} | ${((100 * gflops) / ceiling).toFixed(0)}% |`,
      );
    }
  }
}
process.exit(0);
