import { z } from 'zod';
import type { Distribution, LayerRef } from '../types.js';
import { fixedSparsity, type LayerFilterOptions, layerFilterShape } from './layer-filter.js';

/**
 * ERK densities of `layers` at global sparsity S: density_l = ε·(n_in + n_out)/(n_in·n_out), ε solved so the
 * non-zeros total (1 − S)·Σ size. A layer whose density would exceed 1 is made dense and ε re-solved over the
 * rest (largest first, one at a time, as in RigL's reference code). Returns sparsities.
 * A matrix packing `parts` separate matrices along n_out (q, k, v in one [d, 3d]) is scored as one of its
 * parts, [n_in, n_out/parts], when `split` (the default): it then gets the density the separate matrices
 * would get, as in RigL and JaxPruner, where q, k and v are separate kernels.
 */
export function erkSparsities(
  layers: readonly { shape: [number, number]; parts?: number }[],
  sparsity: number,
  split = true,
): number[] {
  const size = layers.map((l) => l.shape[0] * l.shape[1]);
  const raw = layers.map((l) => {
    const nIn = l.shape[0];
    const nOut = split ? l.shape[1] / (l.parts ?? 1) : l.shape[1];
    return (nIn + nOut) / (nIn * nOut);
  });
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

/** ERK's options: the shared layer filter, how packed projections are scored, and the gradual path. */
export interface ErkOptions extends LayerFilterOptions {
  fused?: 'split' | 'whole';
  gradual?: 'scaled' | 'reallocated';
}

/**
 * Erdős–Rényi-Kernel (Evci et al. 2020, RigL, arXiv:1911.11134; Mocanu et al. 2018 for Erdős–Rényi): small
 * and narrow layers get more density, keeping the total at S over the pruned layers. Layers kept dense and
 * pruned embeddings are set aside first and do not enter the budget.
 */
export const erk: Distribution<ErkOptions> = {
  name: 'erk',
  summary: 'density ∝ (n_in + n_out)/(n_in·n_out), total at S; layers that would exceed density 1 kept dense',
  options: z.strictObject({
    ...layerFilterShape,
    // filled in, so ERK trials from before packed matrices were split get new ids (their densities differ)
    fused: z
      .enum(['split', 'whole'])
      .default('split')
      .describe(
        "a packed matrix (q,k,v or k,v; a gated MLP's W_0, W_1): scored as one of its parts, as separate matrices would be (split), or as one matrix (whole)",
      ),
    // no zod default: filled in only under a gradual schedule (underGradualSchedule), whose ERK trials trained
    // otherwise before and so get new ids; under a periodic or one-shot schedule it changes nothing, nor the ids
    gradual: z
      .enum(['scaled', 'reallocated'])
      .optional()
      .describe(
        "under a gradual schedule (default scaled): each layer follows it to its own final sparsity, s_l(t) = s_l·s(t)/S, as Zhu & Gupta and JaxPruner do (scaled), or ERK is solved again at each step's global s(t) (reallocated)",
      ),
  }),
  allocate: (layers, sparsity, o) => erkAllocation(layers, sparsity, sparsity, o),
  allocateOnTheWay: (layers, sparsity, target, o) =>
    erkAllocation(layers, sparsity, o.gradual === 'reallocated' ? sparsity : target, o),
  underGradualSchedule: (o) => ({ ...o, gradual: o.gradual ?? 'scaled' }),
};

/**
 * ERK's per-layer sparsities at global sparsity `sparsity`, the pooled layers' shares solved at `solvedAt` and
 * scaled by sparsity/solvedAt (Zhu & Gupta 2017, arXiv:1710.01878, prune each layer towards its own target on
 * the gradual schedule; JaxPruner's polynomial schedule over the per-layer targets): every pooled layer is at
 * the same fraction of its final sparsity, and together they hold `sparsity`. Layers kept dense get 0 and
 * pruned embeddings their rule at `sparsity`.
 */
function erkAllocation(layers: readonly LayerRef[], sparsity: number, solvedAt: number, o: ErkOptions) {
  const fixed = layers.map((l) => fixedSparsity(l, sparsity, o));
  const pool: LayerRef[] = layers.filter((_, i) => fixed[i] === null);
  const final = erkSparsities(pool, solvedAt, o.fused !== 'whole');
  const scale = solvedAt === sparsity ? 1 : solvedAt === 0 ? 0 : sparsity / solvedAt;
  let next = 0;
  return fixed.map((f) => f ?? final[next++] * scale);
}
