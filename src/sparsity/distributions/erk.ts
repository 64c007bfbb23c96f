import { z } from 'zod';
import type { Distribution, LayerRef } from '../types.js';
import { fixedSparsity, type LayerFilterOptions, layerFilterShape } from './layer-filter.js';

/**
 * ERK densities of `layers` at global sparsity S: density_l = ε·(n_in + n_out)/(n_in·n_out), ε solved so the
 * non-zeros total (1 − S)·Σ size. A layer whose density would exceed 1 is made dense and ε re-solved over the
 * rest (largest first, one at a time, as in RigL's reference code). Returns sparsities.
 */
export function erkSparsities(layers: readonly { shape: [number, number] }[], sparsity: number): number[] {
  const size = layers.map((l) => l.shape[0] * l.shape[1]);
  const raw = layers.map((l) => (l.shape[0] + l.shape[1]) / (l.shape[0] * l.shape[1]));
  const budget = (1 - sparsity) * size.reduce((a, b) => a + b, 0);
  const dense = new Set<number>();
  let eps = 0;
  for (;;) {
    let rhs = budget;
    let divisor = 0;
    layers.forEach((_, i) => {
      if (dense.has(i)) rhs -= size[i];
      else divisor += raw[i] * size[i];
    });
    if (divisor === 0) break; // every layer dense (S = 0)
    eps = rhs / divisor;
    let worst = -1;
    layers.forEach((_, i) => {
      if (!dense.has(i) && eps * raw[i] > 1 && (worst < 0 || raw[i] > raw[worst])) worst = i;
    });
    if (worst < 0) break;
    dense.add(worst);
  }
  return layers.map((_, i) => (dense.has(i) ? 0 : Math.min(1, Math.max(0, 1 - eps * raw[i]))));
}

/**
 * Erdős–Rényi-Kernel (Evci et al. 2020, RigL, arXiv:1911.11134; Mocanu et al. 2018 for Erdős–Rényi): small
 * and narrow layers get more density, keeping the total at S over the pruned layers. Layers kept dense and
 * pruned embeddings are set aside first and do not enter the budget.
 */
export const erk: Distribution<LayerFilterOptions> = {
  name: 'erk',
  summary: 'density ∝ (n_in + n_out)/(n_in·n_out), total at S; layers that would exceed density 1 kept dense',
  options: z.strictObject(layerFilterShape),
  allocate(layers, sparsity, o) {
    const fixed = layers.map((l) => fixedSparsity(l, sparsity, o));
    const pool: LayerRef[] = layers.filter((_, i) => fixed[i] === null);
    const pooled = erkSparsities(pool, sparsity);
    let next = 0;
    return fixed.map((f) => f ?? pooled[next++]);
  },
};
