/**
 * Time of one mask update (`Pruner.update`) on the prunable layers of the quickstart's largest model (lm, N 24k at
 * S = 0.75: d 64, 2 layers), for a method that updates every step (ste), a drop/grow method (rigl) and gradual
 * magnitude (gmp), each at an update every step. The reference, in the same run: the same layers with their packing
 * forgotten (q|k|v as one matrix, one ranking over it, as before packed matrices were pruned as their parts), so the
 * difference is what splitting and joining the parts costs.
 *
 * Then the ranking alone: `topKMask` (the native radix select when the addon is built) against `topKMaskJs` (the
 * JavaScript quickselect, the reference) over the same layers' magnitudes at the target, in the same run. Run the
 * whole script again with SPARSEBENCH_NATIVE=0 for the updates with the JavaScript ranking.
 *
 * Run: `npx tsx bench/pruner-update.ts [updates]` (default 500 per setting, best of 3 rounds).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSweep } from '../src/config/load.js';
import { nativeAddon, nativeStatus } from '../src/engine/native.js';
import { families } from '../src/models/registry.js';
import { prunableLayers } from '../src/models/types.js';
import { Pruner, type PrunerState } from '../src/sparsity/pruner.js';
import { resolvePrunerSpec } from '../src/sparsity/spec.js';
import { topKMask, topKMaskJs } from '../src/sparsity/top-k.js';
import type { LayerRef } from '../src/sparsity/types.js';
import { Rng } from '../src/util/rng.js';

const CONFIG = `name: pruner-update-bench
model: {family: lm, aspect_ratio: 32, head_dim: 16}
data: {source: brown}
train: {batch_size: 16, seq_len: 64}
pruner: {name: gmp}
sweep: {sparsity: 0.75, nonzero_params: 24k, tokens: 200k}
`;

const updates = Number(process.argv[2] ?? 500);
const file = join(mkdtempSync(join(tmpdir(), 'sb-pruner-')), 'c.yaml');
writeFileSync(file, CONFIG);
const { spec } = loadSweep(file).trials[0];
const packed: LayerRef[] = prunableLayers(families[spec.model.family].model.params(spec.model));
const whole: LayerRef[] = packed.map(({ parts: _, ...plain }) => plain);

const SETTINGS: Record<string, Record<string, unknown>> = {
  ste: { name: 'ste', options: {} },
  rigl: { name: 'rigl', options: {}, schedule: { interval: 1, end: 1 } },
  gmp: { name: 'gmp', options: {}, schedule: { start: 0, end: 1, interval: 1 } },
};

/** Milliseconds per update of `name` over `layers`, best of 3 rounds of `updates` updates. */
function msPerUpdate(name: string, layers: LayerRef[]): number {
  const pruner = new Pruner(
    resolvePrunerSpec(SETTINGS[name] as Parameters<typeof resolvePrunerSpec>[0], 0.75),
    layers,
    updates + 1,
    0.75,
  );
  const rng = Rng.seeded(0);
  const weights = layers.map((l) => rng.normalArray(l.shape[0] * l.shape[1], 1));
  const grads = layers.map((l) => rng.normalArray(l.shape[0] * l.shape[1], 1));
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    let state: PrunerState = pruner.init(weights, rng);
    let timed = 0;
    const t0 = performance.now();
    for (let step = 1; step <= updates; step++) {
      if (!pruner.isUpdateStep(step)) continue;
      state = pruner.update(step, weights, pruner.needsGradients ? grads : null, state, rng).state;
      timed++;
    }
    best = Math.min(best, (performance.now() - t0) / Math.max(1, timed));
  }
  return best;
}

const weightsCount = packed.reduce((a, l) => a + l.shape[0] * l.shape[1], 0);
console.log(
  `prunable layers: ${packed.length} (${packed.filter((l) => l.parts).length} packed), ${weightsCount} weights; ${updates} updates per round`,
);
const native = nativeStatus();
console.log(
  `ranking in Pruner.update: ${native.loaded ? `native, native/src/top_k.c (${native.isa})` : `JavaScript quickselect (${native.reason})`}`,
);
console.log('pruner  parts (ms/update)  whole, reference (ms/update)  ratio');
for (const name of Object.keys(SETTINGS)) {
  // interleaved, so drift of the machine touches both alike
  const w = msPerUpdate(name, whole);
  const p = msPerUpdate(name, packed);
  console.log(
    `${name.padEnd(6)}  ${p.toFixed(3).padStart(17)}  ${w.toFixed(3).padStart(28)}  ${(p / w).toFixed(2)}x`,
  );
}

/** Milliseconds to rank every layer's magnitudes at S = 0.75 with `rank`, best of 3 rounds of `updates`. */
function msPerRanking(rank: (scores: Float32Array, keep: number) => Uint8Array): number {
  const rng = Rng.seeded(1);
  const scores = whole.map((l) => rng.normalArray(l.shape[0] * l.shape[1], 1).map(Math.abs));
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (let u = 0; u < updates; u++) for (const s of scores) rank(s, Math.round(s.length * 0.25));
    best = Math.min(best, (performance.now() - t0) / updates);
  }
  return best;
}

/** Microseconds to rank n uniform scores at S = 0.75 with `rank` (a fresh mask each time), best of 3 rounds. */
function usPerRanking(rank: (scores: Float32Array, keep: number) => Uint8Array, n: number): number {
  const rng = Rng.seeded(n);
  const scores = Float32Array.from({ length: n }, () => rng.uniform());
  const reps = Math.max(200, Math.round(4e6 / n));
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) rank(scores, Math.round(n / 4));
    best = Math.min(best, ((performance.now() - t0) / reps) * 1000);
  }
  return best;
}

if (native.loaded) {
  const js = msPerRanking(topKMaskJs);
  const nat = msPerRanking(topKMask);
  console.log(
    `ranking alone, every layer (ms/update): native ${nat.toFixed(3)}, JavaScript ${js.toFixed(3)}: ${(js / nat).toFixed(2)}x`,
  );
  // by size: where the native path pays (topKMask keeps the JavaScript below 32 scores; this calls the addon directly)
  const addon = nativeAddon()!;
  const direct = (scores: Float32Array, keep: number) => {
    const mask = new Uint8Array(scores.length);
    addon.topKMask(scores, mask, keep);
    return mask;
  };
  console.log('scores  native (us)  JavaScript (us)  ratio');
  for (const n of [8, 32, 128, 512, 2048, 8192, 32768]) {
    const a = usPerRanking(direct, n);
    const b = usPerRanking(topKMaskJs, n);
    console.log(
      `${String(n).padStart(6)}  ${a.toFixed(2).padStart(11)}  ${b.toFixed(2).padStart(15)}  ${(b / a).toFixed(2)}x`,
    );
  }
}
