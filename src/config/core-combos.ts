import type { SweepConfig } from './schema.js';

/** One trial's place on the core axes: its sparsity, and the index of its N and of its D in their lists. */
export interface CoreCombo {
  sparsity: number;
  ni: number;
  di: number;
}

/**
 * The combinations of sparsity, N and D a sweep trains: the Cartesian product of the three lists, except that the
 * axes `zip` names advance together (value i with value i), standing where the first of them stands in the order
 * sparsity, N, D. `zip: [sparsity, nonzero_params]` with S [0.5, 0.75], N [6k, 3k] and D [1M, 2M] gives
 * (0.5, 6k, 1M), (0.5, 6k, 2M), (0.75, 3k, 1M), (0.75, 3k, 2M). Seeds are crossed with every combination.
 */
export function coreCombos(
  s: Pick<SweepConfig['sweep'], 'sparsity' | 'nonzero_params' | 'tokens' | 'zip'>,
): CoreCombo[] {
  const order = ['sparsity', 'nonzero_params', 'tokens'] as const;
  const zipped = new Set<string>(s.zip ?? []);
  const lengths = {
    sparsity: s.sparsity.length,
    nonzero_params: s.nonzero_params.length,
    tokens: s.tokens.length,
  };
  // the units the product runs over: each axis alone, or the zipped ones as one unit where the first of them is
  const units: (readonly (typeof order)[number][])[] = [];
  for (const key of order) {
    if (!zipped.has(key)) units.push([key]);
    else if (!units.some((u) => u.length > 1)) units.push(order.filter((k) => zipped.has(k)));
  }
  let combos: Record<string, number>[] = [{}];
  for (const unit of units) {
    const next: Record<string, number>[] = [];
    for (const c of combos)
      for (let i = 0; i < lengths[unit[0]]; i++)
        next.push({ ...c, ...Object.fromEntries(unit.map((k) => [k, i])) });
    combos = next;
  }
  return combos.map((c) => ({ sparsity: s.sparsity[c.sparsity], ni: c.nonzero_params, di: c.tokens }));
}
