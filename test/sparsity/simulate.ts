import { Pruner, type PrunerState } from '../../src/sparsity/pruner.js';
import type { PrunerSpec } from '../../src/sparsity/spec.js';
import type { LayerRef, Mask } from '../../src/sparsity/types.js';
import { Rng } from '../../src/util/rng.js';

/** What a mask update looked like, for property checks. */
export interface UpdateRecord {
  step: number;
  before: Mask[];
  after: Mask[];
  regrown: (Mask | null)[];
  targets: number[];
  /** Weights the pruner saw (after this step's drift). */
  weights: Float32Array[];
}

/**
 * Runs a pruner over a fake training run, as the trainer would: weights drift every step, gradients are
 * random, masks are applied hard (zeroed, regrown weights set to 0) unless the algorithm keeps dense weights.
 * `step` 0 is the initialisation. `scale`, when given, rescales each layer's initial weights and every drift in place
 * (weights of another size in one part of a packed layer).
 */
export function simulate(
  spec: PrunerSpec,
  layers: LayerRef[],
  sparsity: number,
  steps: number,
  seed: number,
  scale?: (values: Float32Array, layer: number) => void,
) {
  const pruner = new Pruner(spec, layers, steps, sparsity);
  const soft = pruner.application.soft;
  const rng = Rng.seeded(seed);
  const weights = layers.map((l) => rng.normalArray(l.shape[0] * l.shape[1], 1));
  if (scale) weights.forEach(scale);
  let state: PrunerState = pruner.init(weights, rng);
  const records: UpdateRecord[] = [
    { step: 0, before: [], after: state.masks, regrown: [], targets: pruner.layerTargets(0), weights },
  ];
  const applyHard = () => {
    if (soft) return;
    weights.forEach((w, li) => {
      for (let i = 0; i < w.length; i++) if (state.masks[li][i] === 0) w[i] = 0;
    });
  };
  applyHard();
  for (let step = 1; step <= steps; step++) {
    weights.forEach((w, li) => {
      const drift = rng.normalArray(w.length, 0.3);
      scale?.(drift, li);
      for (let i = 0; i < w.length; i++) w[i] += drift[i];
    });
    applyHard();
    if (!pruner.isUpdateStep(step)) continue;
    const grads = pruner.needsGradients
      ? layers.map((l) => rng.normalArray(l.shape[0] * l.shape[1], 1))
      : null;
    const before = state.masks;
    const change = pruner.update(step, weights, grads, state, rng);
    state = change.state;
    records.push({
      step,
      before,
      after: state.masks,
      regrown: change.regrown,
      targets: pruner.layerTargets(step),
      weights: weights.map((w) => Float32Array.from(w)),
    });
    change.regrown.forEach((g, li) => {
      if (g) for (let i = 0; i < g.length; i++) if (g[i]) weights[li][i] = 0;
    });
    applyHard();
  }
  return { pruner, records, state };
}

/** Non-zeros of every group of m rows in every column of a row-major [rows, cols] mask (N:M checks). */
export function groupCounts(mask: Mask, [rows, cols]: [number, number], m: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < cols; j++) {
    for (let g = 0; g < rows; g += m) {
      let c = 0;
      for (let i = g; i < Math.min(rows, g + m); i++) c += mask[i * cols + j];
      out.push(c);
    }
  }
  return out;
}
