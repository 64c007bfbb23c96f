/**
 * Time of one mask update (`Pruner.update`) on the prunable layers of the quickstart's largest model (lm, N 24k at
 * S = 0.75: d 64, 2 layers), for a method that updates every step (ste), a drop/grow method (rigl) and gradual
 * magnitude (gmp), each at an update every step. The reference, in the same run: the same layers with their packing
 * forgotten (q|k|v as one matrix, one ranking over it, as before packed matrices were pruned as their parts), so the
 * difference is what splitting and joining the parts costs.
 *
 * Run: `npx tsx bench/pruner-update.ts [updates]` (default 500 per setting, best of 3 rounds).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSweep } from '../src/config/load.js';
import { families } from '../src/models/registry.js';
import { prunableLayers } from '../src/models/types.js';
import { Pruner, type PrunerState } from '../src/sparsity/pruner.js';
import { resolvePrunerSpec } from '../src/sparsity/spec.js';
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
console.log('pruner  parts (ms/update)  whole, reference (ms/update)  ratio');
for (const name of Object.keys(SETTINGS)) {
  // interleaved, so drift of the machine touches both alike
  const w = msPerUpdate(name, whole);
  const p = msPerUpdate(name, packed);
  console.log(
    `${name.padEnd(6)}  ${p.toFixed(3).padStart(17)}  ${w.toFixed(3).padStart(28)}  ${(p / w).toFixed(2)}x`,
  );
}
