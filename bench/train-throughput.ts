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
 * `--no-peer` leaves the peer out (a rerun of tfjs rows only).
 * SPARSEBENCH_TORCH_PYTHON names the peer's interpreter (default /usr/bin/python3); SPARSEBENCH_TORCH_DEVICE=cuda
 * runs the peer once on the GPU instead of twice on the CPU (bench/gpu-check.sh), and exits 1 if it could not
 * run. When both webgpu and wasm are measured, their ratio is printed per model and sparsity.
 * On webgpu the optimizer step runs on the GPU (src/train/device-adamw.ts); `--webgpu-optimizer=device,host`
 * also times it on the host (weights, moments and gradients through host memory every step), for the comparison.
 */
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backends.js';
import { deviceErrorMark, throwOnDeviceErrors } from '../src/engine/webgpu-errors.js';
import { families } from '../src/models/registry.js';
import type { OptimizerPlacement } from '../src/train/device-adamw.js';
import { trainTrial } from '../src/train/trainer.js';
import { type Backend, chooseReferences, type Reference, referenceSpec, SPARSITIES } from './references.js';
import { describePeer, type PeerRow, peerSettings, runPeer, torchPython } from './run-torch-peer.js';

/** Steps timed per backend (after the warm-up ones); cpu is ~30x slower. */
const STEPS: Record<Backend, number> = { wasm: 20, cpu: 2, webgpu: 20 };
const WARMUP: Record<Backend, number> = { wasm: 3, cpu: 1, webgpu: 3 };

/** D units per second over the timed steps: warm-up excluded; the last step includes the final evaluation (64 held-out units). */
async function speed(
  ref: Reference,
  backend: Backend,
  sparsity: number,
  optimizerOn?: OptimizerPlacement,
): Promise<number> {
  const timing = ref.timing?.[backend] ?? { warmup: WARMUP[backend], steps: STEPS[backend] };
  const warmup = timing.warmup;
  const steps = warmup + timing.steps;
  const s = referenceSpec(ref, backend, sparsity, steps);
  const units = families[ref.model.family].unitsPerBatch(s);
  let t0 = 0;
  let t1 = 0;
  await trainTrial(s, {
    optimizerOn,
    onProgress: (p) => {
      if (p.step === warmup) t0 = performance.now();
      if (p.step === steps) t1 = performance.now();
    },
  });
  return (timing.steps * units) / ((t1 - t0) / 1000);
}

/**
 * GFLOP/s of a plain [2048,128]·[128,512] product through the kernels in use: the fast path every model
 * matmul aims for. Best of 3 rounds after a warm-up, since the machine may be shared.
 */
async function matmulCeiling(backend: Backend): Promise<{ gflops: number; kernels: string }> {
  const { kernels } = await selectBackend(backend);
  const mark = deviceErrorMark();
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
  throwOnDeviceErrors(mark, 'the matmul ceiling');
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
/** On webgpu, where the optimizer step runs, each measured in turn (default: the trainer's choice, the device). */
const placements = (args
  .find((a) => a.startsWith('--webgpu-optimizer='))
  ?.slice('--webgpu-optimizer='.length)
  .split(',') ?? [undefined]) as (OptimizerPlacement | undefined)[];
for (const p of placements)
  if (p !== undefined && p !== 'host' && p !== 'device')
    throw new Error(`--webgpu-optimizer=${p}: expected host, device or both, comma-separated`);
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
/** units/s by backend (webgpu with the optimizer on the host: `webgpu, host optimizer`), then by `${name}@${sparsity}`. */
const speeds = new Map<string, Map<string, number>>();
for (const ref of chosen) {
  const unit = families[ref.model.family].unit === 'images' ? 'images/s' : 'tokens/s';
  const fwd = families[ref.model.family].model.forwardFlopsPerUnit(ref.model);
  for (const backend of ref.backends) {
    for (const optimizerOn of backend === 'webgpu' ? placements : [undefined]) {
      const label = optimizerOn === 'host' ? `${backend}, host optimizer` : backend;
      for (const sparsity of SPARSITIES) {
        // The machine's speed drifts by 10-20% over minutes (shared host), so each timed run is bracketed by
        // ceilings measured just before and just after it (their mean is its ceiling), and the row is the pair
        // with the median share of its ceiling.
        const pairs: { ups: number; ceiling: { gflops: number; kernels: string }; share: number }[] = [];
        for (let r = 0; r < repeat; r++) {
          const before = await matmulCeiling(backend);
          const ups = await speed(ref, backend, sparsity, optimizerOn);
          const after = await matmulCeiling(backend);
          const ceiling = { gflops: (before.gflops + after.gflops) / 2, kernels: before.kernels };
          pairs.push({ ups, ceiling, share: (ups * 3 * fwd) / 1e9 / ceiling.gflops });
        }
        pairs.sort((a, b) => a.share - b.share);
        const { ups, ceiling } = pairs[Math.floor(pairs.length / 2)];
        if (!speeds.has(label)) speeds.set(label, new Map());
        speeds.get(label)!.set(`${ref.name}@${sparsity}`, ups);
        // webgpu rows name where the optimizer ran (the default is the device), the CPU backends' never move
        const kernels =
          backend === 'webgpu'
            ? `${ceiling.kernels}, optimizer on ${optimizerOn ?? 'device'}`
            : ceiling.kernels;
        row(ref.name, `${backend} (${kernels})`, sparsity, ups, unit, (ups * 3 * fwd) / 1e9, ceiling.gflops);
      }
    }
  }
}

/** `${a} / ${b}` for every reference and sparsity measured on both tfjs backends. */
function backendRatios(a: string, b: string): void {
  const [num, den] = [speeds.get(a), speeds.get(b)];
  if (!num || !den) return;
  console.log('');
  for (const [key, ups] of num) {
    const base = den.get(key);
    if (base !== undefined)
      console.log(`${key.replace('@', ' sparsity ')}: tfjs ${a} / tfjs ${b} = ${(ups / base).toFixed(2)}`);
  }
}
backendRatios('webgpu', 'wasm');
backendRatios('webgpu, host optimizer', 'wasm');
backendRatios('webgpu', 'webgpu, host optimizer');

/** On the GPU the peer is what the run is for: without it the run fails (exit 1) rather than look complete. */
const peerRequired = process.env['SPARSEBENCH_TORCH_DEVICE'] === 'cuda';
let peerMissing = false;
const python = torchPython();
if (args.includes('--no-peer')) {
  console.log('\npytorch peer not run (--no-peer)');
} else if (!python.ok) {
  peerMissing = true;
  console.log(`\npytorch peer skipped: ${python.why}`);
} else {
  const peerRows: PeerRow[] = [];
  const notes: string[] = [];
  for (const threads of peerSettings()) {
    const run = runPeer(python.path, chosen, threads);
    if (!run.ok) {
      peerMissing = true;
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
    for (const [backend, byKey] of speeds) {
      const tfjs = byKey.get(`${r.name}@${r.sparsity}`);
      if (tfjs === undefined || backend === 'cpu' || backend.includes('host optimizer')) continue;
      console.log(
        `${r.name} sparsity ${r.sparsity}: tfjs ${backend} / pytorch (${r.label}) = ${(tfjs / r.units_per_s).toFixed(3)} on pytorch's best window, ${(tfjs / r.units_per_s_median).toFixed(3)} on its median window`,
      );
    }
  }
}
process.exit(peerRequired && peerMissing ? 1 : 0);
