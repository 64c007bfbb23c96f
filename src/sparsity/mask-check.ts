import { countPruned } from './top-k.js';
import type { LayerRef, Mask } from './types.js';

/** Per layer, a pruned count an algorithm declares instead of the schedule's (see AlgorithmUpdate.pruned). */
export type Declared = readonly (number | null)[] | null;

/**
 * A pruner that misses its target is worse than none: fail loudly if any layer is off by more than one
 * weight. Two declared exceptions: a global ranking is checked on the total over layers, and a count an
 * algorithm declares (neuron ablation) must be met exactly, be no denser than scheduled, and be sparser by
 * less than one weight per output neuron.
 */
export function checkMasks(c: {
  pruner: string;
  layers: readonly LayerRef[];
  masks: readonly Mask[];
  targets: readonly number[];
  step: number;
  declared: Declared;
  globalRanking: boolean;
}): void {
  const { layers, masks, targets, step, declared } = c;
  if (masks.length !== layers.length) {
    throw new Error(`pruner ${c.pruner} returned ${masks.length} masks for ${layers.length} layers`);
  }
  const miss = (what: string) => {
    throw new Error(`pruner ${c.pruner} missed its target at step ${step}: ${what}`);
  };
  let gotTotal = 0;
  let wantTotal = 0;
  layers.forEach((layer, i) => {
    const n = layer.shape[0] * layer.shape[1];
    const want = Math.round(targets[i] * n);
    const got = countPruned(masks[i]);
    gotTotal += got;
    wantTotal += want;
    if (masks[i].length !== n)
      miss(`layer ${layer.name} has a mask of ${masks[i].length} entries for ${n} weights`);
    const own = declared?.[i];
    if (own !== undefined && own !== null) {
      if (got !== own || own < want || own - want >= Math.max(1, layer.shape[1])) {
        miss(`layer ${layer.name} has ${got} of ${n} weights pruned, declared ${own}, schedule asks ${want}`);
      }
    } else if (!c.globalRanking && Math.abs(got - want) > 1) {
      miss(`layer ${layer.name} has ${got} of ${n} weights pruned, schedule asks ${want}`);
    }
  });
  if (c.globalRanking && Math.abs(gotTotal - wantTotal) > 1) {
    miss(`${gotTotal} weights pruned over all layers, schedule asks ${wantTotal}`);
  }
}
