/**
 * Training throughput of reference models of each family through the real trainer (AdamW, clipping, masks),
 * dense and 75% sparse, with the backend's plain 2-D matmul speed measured in the same run as the ceiling.
 * The models and trial specs are in references.ts: lm (ENGINE.md's reference) on wasm and cpu, t5 and vit
 * on wasm. When a Python with PyTorch is available, the PyTorch peer (torch-peer.py) trains the same models
 * the same way and adds its rows, with 1 intra-op thread and 2, then 1, OpenBLAS threads.
 *
 * Run: `npm run bench:train` (or `npx tsx bench/train-throughput.ts [lm|t5|vit ...] [--repeat N]
 * [--backends=wasm,cpu,webgpu]`). Prints a Markdown table. Each tfjs run is paired with the mean of two ceilings
 * measured just before and just after it; with --repeat N each tfjs row is the pair with the median share of its
 * ceiling out of N.
 * The default backends are each reference's own (wasm, and cpu for lm); webgpu is measured only when named,
 * on a machine with a GPU (on a software Vulkan driver its speed means nothing).
 * On wasm the ceiling is measured through the kernels in use: the native GEMM when the addon is built
 * (SPARSEBENCH_NATIVE=0 switches it off), else tfjs's XNNPACK.
 * SPARSEBENCH_TORCH_PYTHON names the peer's interpreter (default /usr/bin/python3).
 */
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backends.js';
import { families } from '../src/models/registry.js';
import { trainTrial } from '../src/train/trainer.js';
import { type Backend, chooseReferences, type Reference, referenceSpec, SPARSITIES } from './references.js';
import { describePeer, PEER_THREADS, type PeerRow, runPeer, torchPython } from './run-torch-peer.js';

/** Steps timed per backend (after the warm-up ones); cpu is ~30x slower. */
const STEPS: Record<Backend, number> = { wasm: 20, cpu: 2, webgpu: 20 };
const WARMUP: Record<Backend, number> = { wasm: 3, cpu: 1, webgpu: 3 };

/** D units per second over the timed steps: warm-up excluded; the last step includes the final evaluation (64 held-out units). */
async function speed(ref: Reference, backend: Backend, sparsity: number): Promise<number> {
  const warmup = WARMUP[backend];
  const steps = warmup + STEPS[backend];
  const s = referenceSpec(ref, backend, sparsity, steps);
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
  const reps = backend === 'cpu' ? 3 : 30;
  // wasm and cpu compute synchronously: the product is done when matMul returns, so nothing is read back
  // (reading the result, or even a slice of it, cost as much as the product itself on wasm). webgpu queues
  // work: reading the last product back waits for all of them.
  const round = async () => {
    const t0 = performance.now();
    let last: tf.Tensor | null = null;
    for (let i = 0; i < reps; i++) {
      last?.dispose();
      last = tf.matMul(a, b);
    }
    if (backend === 'webgpu') await last!.data();
    last!.dispose();
    return (performance.now() - t0) / 1000;
  };
  await round();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) best = Math.min(best, await round());
  tf.dispose([a, b]);
  return { gflops: (2 * 2048 * 128 * 512 * reps) / best / 1e9, kernels };
}

function row(
  name: string,
  backend: string,
  sparsity: number,
  ups: number,
  unit: string,
  gflops: number,
  ceiling: number,
) {
  console.log(
    `| ${name} | ${backend} | ${sparsity} | ${ups.toFixed(0)} ${unit} | ${gflops.toFixed(2)} | ${ceiling.toFixed(1)} | ${((100 * gflops) / ceiling).toFixed(0)}% |`,
  );
}

const args = process.argv.slice(2);
const repeatAt = args.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(args[repeatAt + 1]) : 1;
if (!(Number.isInteger(repeat) && repeat >= 1)) throw new Error('--repeat N: expected a whole number >= 1');
const onlyBackends = args
  .find((a) => a.startsWith('--backends='))
  ?.slice('--backends='.length)
  .split(',') as Backend[] | undefined;
const chosen = chooseReferences(
  args.filter((a, i) => !a.startsWith('--') && (repeatAt < 0 || i !== repeatAt + 1)),
).map((r) => ({ ...r, backends: onlyBackends ?? r.backends }));
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, tfjs ${tf.version_core}\n`,
);
console.log(
  '| family | backend | sparsity | training units/s | model GFLOP/s | plain matmul GFLOP/s (ceiling) | share of ceiling |',
);
console.log('|---|---|---|---|---|---|---|');
/** wasm units/s by `${name}@${sparsity}`, for the tfjs/pytorch ratios. */
const wasmSpeed = new Map<string, number>();
for (const ref of chosen) {
  const unit = families[ref.model.family].unit === 'images' ? 'images/s' : 'tokens/s';
  const fwd = families[ref.model.family].model.forwardFlopsPerUnit(ref.model);
  for (const backend of ref.backends) {
    for (const sparsity of SPARSITIES) {
      // The machine's speed drifts by 10-20% over minutes (shared host), so each timed run is bracketed by
      // ceilings measured just before and just after it (their mean is its ceiling), and the row is the pair
      // with the median share of its ceiling.
      const pairs: { ups: number; ceiling: { gflops: number; kernels: string }; share: number }[] = [];
      for (let r = 0; r < repeat; r++) {
        const before = await matmulCeiling(backend);
        const ups = await speed(ref, backend, sparsity);
        const after = await matmulCeiling(backend);
        const ceiling = { gflops: (before.gflops + after.gflops) / 2, kernels: before.kernels };
        pairs.push({ ups, ceiling, share: (ups * 3 * fwd) / 1e9 / ceiling.gflops });
      }
      pairs.sort((a, b) => a.share - b.share);
      const { ups, ceiling } = pairs[Math.floor(pairs.length / 2)];
      if (backend === 'wasm') wasmSpeed.set(`${ref.name}@${sparsity}`, ups);
      row(
        ref.name,
        `${backend} (${ceiling.kernels})`,
        sparsity,
        ups,
        unit,
        (ups * 3 * fwd) / 1e9,
        ceiling.gflops,
      );
    }
  }
}

const python = torchPython();
if (!python.ok) {
  console.log(`\npytorch peer skipped: ${python.why}`);
} else {
  const peerRows: PeerRow[] = [];
  const notes: string[] = [];
  for (const threads of PEER_THREADS) {
    const run = runPeer(python.path, chosen, threads);
    if (!run.ok) {
      notes.push(`pytorch peer (${threads.label}) failed: ${run.why}`);
      continue;
    }
    notes.push(describePeer(run.output, threads));
    for (const r of run.output.results) {
      peerRows.push({ ...r, label: threads.label });
      row(
        r.name,
        `pytorch (${threads.label})`,
        r.sparsity,
        r.units_per_s,
        `${r.unit}/s`,
        r.model_gflops,
        r.ceiling_gflops,
      );
    }
  }
  console.log('');
  for (const note of notes) console.log(note);
  for (const r of peerRows) {
    const tfjs = wasmSpeed.get(`${r.name}@${r.sparsity}`);
    if (tfjs === undefined) continue;
    console.log(
      `${r.name} sparsity ${r.sparsity}: tfjs wasm / pytorch (${r.label}) = ${(tfjs / r.units_per_s).toFixed(3)} on pytorch's best window, ${(tfjs / r.units_per_s_median).toFixed(3)} on its median window`,
    );
  }
}
process.exit(0);
