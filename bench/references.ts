/**
 * The reference models of the training-throughput benchmark and the trial spec each is trained with, shared by
 * `train-throughput.ts` (the tfjs rows) and the PyTorch peer `torch-peer.py` (which reads {@link peerConfig}
 * as JSON, so both sides train the same shapes with the same batch, optimizer and masks).
 * - lm: ENGINE.md's reference (vocab 256, d_model 128, 4 layers, 4 heads, d_ff 512, seq 64, batch 32);
 * - t5: d_model 128, 2 encoder + 2 decoder layers, 4 heads, d_ff 512, input 64 tokens, batch 32;
 * - vit: MNIST 28x28 in 7x7 patches + class token, d_model 128, 4 layers, 4 heads, d_ff 512, batch 32;
 * - lm-12m: the GPU model of at least 10M parameters (vocab 256, d_model 512, 4 layers, 8 heads, d_ff
 *   2048, seq 128, batch 32: 12.8M parameters, 12.6M of them prunable), measured only when named
 *   (`bench/gpu-check.sh` does).
 *
 * `npx tsx bench/references.ts [lm|t5|vit ...]` prints the peer's JSON input (to run the peer by hand).
 */
import { pathToFileURL } from 'node:url';
import type { TrialSpec } from '../src/config/trial-spec.js';
import { layoutForInput } from '../src/data/span-corruption.js';
import { families } from '../src/models/registry.js';
import { countParams } from '../src/models/types.js';
import { DENSE_SPEC, resolvePrunerSpec } from '../src/sparsity/spec.js';

export type Backend = 'wasm' | 'cpu' | 'webgpu';

export interface Reference {
  name: string;
  /** tfjs backends the benchmark measures this model on. */
  backends: Backend[];
  model: TrialSpec['model'];
  data: TrialSpec['data'];
  /** Warm-up and timed steps per backend where the benchmark's defaults would take too long. */
  timing?: Partial<Record<Backend, { warmup: number; steps: number }>>;
  /** Left out of the default set (all references): measured only when named. */
  onlyWhenNamed?: boolean;
}

/** Sparsities every reference is measured at. */
export const SPARSITIES = [0, 0.75];

const core = { d_model: 128, n_heads: 4, d_ff: 512 };
const t5Layout = layoutForInput(64, 0.15, 3);

export const references: Reference[] = [
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
  {
    name: 'lm-12m',
    backends: ['webgpu', 'wasm'],
    model: {
      family: 'lm',
      vocab_size: 256,
      seq_len: 128,
      d_model: 512,
      n_heads: 8,
      d_ff: 2048,
      n_layers: 4,
      tied_embeddings: true,
    },
    data: { source: 'brown', validation_fraction: 0.05 },
    // one wasm step is ~322 GFLOP (several seconds on one core): 1 warm-up + 4 timed steps
    timing: { wasm: { warmup: 1, steps: 4 } },
    onlyWhenNamed: true,
  },
];

/** The trial spec a reference trains with at `sparsity` for `steps` steps. */
export function referenceSpec(ref: Reference, backend: Backend, sparsity: number, steps: number): TrialSpec {
  return {
    spec_version: 1,
    model: ref.model,
    data: ref.data,
    sparsity,
    nonzero_params: 1,
    tokens: 1,
    steps,
    batch_size: 32,
    // an lm trains at its model's context length; the other families' specs keep 64
    seq_len: ref.model.family === 'lm' ? ref.model.seq_len : 64,
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

/** What the PyTorch peer needs to rebuild and train a reference, and the numbers it must agree with. */
export interface PeerReference {
  name: string;
  model: TrialSpec['model'];
  batch_size: number;
  seq_len: number;
  optimizer: TrialSpec['optimizer'];
  lr_schedule: TrialSpec['lr_schedule'];
  grad_clip: TrialSpec['grad_clip'];
  sparsities: number[];
  unit: 'tokens' | 'images';
  units_per_batch: number;
  /** Matmul FLOPs of one forward pass per unit (the tfjs rows count ×3 for a training step). */
  forward_flops_per_unit: number;
  /** The tfjs parameter layout: the peer checks its own layout against it name by name. */
  params: { name: string; shape: number[]; prunable: boolean; decay: boolean }[];
  param_counts: { total: number; prunable: number; embedding: number };
}

export function peerReference(ref: Reference): PeerReference {
  const s = referenceSpec(ref, 'wasm', 0, 1);
  const entry = families[ref.model.family];
  const infos = entry.model.params(ref.model);
  return {
    name: ref.name,
    model: ref.model,
    batch_size: s.batch_size,
    seq_len: s.seq_len,
    optimizer: s.optimizer,
    lr_schedule: s.lr_schedule,
    grad_clip: s.grad_clip,
    sparsities: SPARSITIES,
    unit: entry.unit,
    units_per_batch: entry.unitsPerBatch(s),
    forward_flops_per_unit: entry.model.forwardFlopsPerUnit(ref.model),
    params: infos.map((p) => ({ name: p.name, shape: p.shape, prunable: p.prunable, decay: p.decay })),
    param_counts: countParams(infos),
  };
}

/** The references named in `names` (when empty, all but those measured only when named). */
export function chooseReferences(names: readonly string[]): Reference[] {
  const unknown = names.filter((n) => !references.some((r) => r.name === n));
  if (unknown.length > 0)
    throw new Error(
      `unknown reference ${unknown.join(', ')}: expected ${references.map((r) => r.name).join(', ')}`,
    );
  return references.filter((r) => (names.length === 0 ? !r.onlyWhenNamed : names.includes(r.name)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const chosen = chooseReferences(process.argv.slice(2));
  process.stdout.write(`${JSON.stringify({ references: chosen.map(peerReference) }, null, 2)}\n`);
}
