import { pct } from './format.js';
import { type FinalPoint, mean } from './points.js';

/** Relative spread of a set of losses: (max − min) / min. */
const spread = (losses: readonly number[]) =>
  (Math.max(...losses) - Math.min(...losses)) / Math.min(...losses);

/** Groups values by a key, in first-seen order. */
function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) out.set(key(t), [...(out.get(key(t)) ?? []), t]);
  return out;
}

/**
 * Seed-to-seed spread, when the sweep trains several seeds: at equal S, N, D and settings, how far apart the
 * final losses of different seeds are (mean and largest (max − min)/min over such cells). The noise floor any
 * other difference in the report is to be read against. Null with one seed.
 */
export function seedSpreadFinding(points: readonly FinalPoint[]): string | null {
  const cells = groupBy(points, (p) => `${p.sparsity}|${p.nTarget}|${p.dTarget}|${p.variant}|${p.context}`);
  const spreads = [...cells.values()]
    .filter((c) => new Set(c.map((p) => p.seed)).size > 1)
    .map((c) => spread(c.map((p) => p.loss)));
  if (spreads.length === 0) return null;
  return `Seed to seed: at equal settings, final losses differ by ${spreadText(spreads)}: a difference between single trials smaller than ${pct(Math.max(...spreads), 2)} can be seed noise.`;
}

/** Spreads in words: "3% on average and 5% at most (4 comparisons)", or "3% (1 comparison)" for one. */
function spreadText(spreads: readonly number[]): string {
  if (spreads.length === 1) return `${pct(spreads[0], 2)} (1 comparison)`;
  return `${pct(mean(spreads), 2)} on average and ${pct(Math.max(...spreads), 2)} at most (${spreads.length} comparisons)`;
}

/** Pruner settings compared pair by pair at most; more would make a list no one reads. */
const MAX_PAIRED = 4;

/**
 * For each pair of settings, the mean relative difference of their final losses where they meet (equal S, N, D,
 * seed and other settings) with its standard error over those pairs, in words: the paired comparison a reader
 * would otherwise compute by hand. Empty with more than {@link MAX_PAIRED} settings.
 */
function pairedDifferences(cells: Iterable<FinalPoint[]>, variants: readonly string[]): string[] {
  if (variants.length > MAX_PAIRED) return [];
  const out: string[] = [];
  for (let a = 0; a < variants.length; a++)
    for (let b = a + 1; b < variants.length; b++) {
      const diffs: number[] = [];
      for (const cell of cells) {
        const la = cell.filter((p) => p.variant === variants[a]).map((p) => p.loss);
        const lb = cell.filter((p) => p.variant === variants[b]).map((p) => p.loss);
        if (la.length > 0 && lb.length > 0) diffs.push(mean(la) / mean(lb) - 1);
      }
      if (diffs.length < 2) continue;
      const m = mean(diffs);
      const se = Math.sqrt(
        diffs.reduce((acc, d) => acc + (d - m) ** 2, 0) / (diffs.length - 1) / diffs.length,
      );
      // pairs that all differ alike leave a rounding error, not an error bar worth printing (1e-15%)
      const error = se < 1e-4 ? 'less than 0.01%' : pct(se, 2);
      out.push(
        `${variants[a]} against ${variants[b]}: ${m >= 0 ? '+' : ''}${pct(m, 2)} ± ${error} (standard error, ${diffs.length} pairs)`,
      );
    }
  return out;
}

/**
 * How much the pruner settings of a sweep (its pruner.* axes) differ where they meet: at equal S, N, D, seed
 * and other settings, the spread of their final losses (mean and largest (max − min)/min), and which setting
 * had the lowest loss how often. Null when the sweep has fewer than two pruner settings or they never meet.
 */
export function variantSpreadFinding(points: readonly FinalPoint[]): string | null {
  const sparse = points.filter((p) => p.sparsity > 0 && p.variant !== '');
  const variants = [...new Set(sparse.map((p) => p.variant))].sort();
  if (variants.length < 2) return null;
  const cells = groupBy(sparse, (p) => `${p.sparsity}|${p.nTarget}|${p.dTarget}|${p.seed}|${p.context}`);
  const spreads: number[] = [];
  const wins = new Map<string, number>(variants.map((v) => [v, 0]));
  for (const cell of cells.values()) {
    const byVariant = groupBy(cell, (p) => p.variant);
    if (byVariant.size < 2) continue;
    const losses = [...byVariant].map(([v, ps]) => [v, mean(ps.map((p) => p.loss))] as const);
    spreads.push(spread(losses.map(([, l]) => l)));
    const best = losses.reduce((a, b) => (b[1] < a[1] ? b : a));
    wins.set(best[0], (wins.get(best[0]) ?? 0) + 1);
  }
  if (spreads.length === 0) return null;
  const ranked = [...wins].sort((a, b) => b[1] - a[1]).map(([v, n]) => `${v}: ${n} of ${spreads.length}`);
  const paired = pairedDifferences([...cells.values()], variants);
  return (
    `Between pruner settings (${variants.join('; ')}): at equal S, N, D and seed, final losses differ by ${spreadText(spreads)}; ` +
    `lowest loss: ${ranked.join('; ')}.` +
    (paired.length > 0 ? ` Mean difference in final loss, pair by pair: ${paired.join('; ')}.` : '')
  );
}
