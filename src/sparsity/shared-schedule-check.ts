import { algorithms } from './registry.js';
import { type PieceSpec, type PrunerSpec, resolvePrunerSpec } from './spec.js';

/** A schedule as a config writes it: `periodic {interval: 4}`. */
function written(spec: PieceSpec): string {
  const { name, ...options } = spec;
  const opts = Object.entries(options).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return opts.length > 0 ? `${name} {${opts.join(', ')}}` : name;
}

/** An algorithm's default schedule with its options filled in, as a trial without `pruner.schedule` runs it. */
function ownSchedule(name: string): PieceSpec {
  try {
    return resolvePrunerSpec({ name, options: {} }, 0.5).schedule;
  } catch {
    // an algorithm that needs options of its own to resolve (from-dense): its default as declared
    return algorithms.get(name).defaultSchedule as PieceSpec;
  }
}

/**
 * A warning when a sweep over several pruners (`pruner.name` as an axis) gives `pruner.schedule`: the one
 * block overrides every algorithm's own default, and their defaults differ (ste and sr-ste update every step,
 * gmp prunes on a cubic every 100 steps, RigL and SET drop and grow every ΔT), so a setting meant for one
 * changes the others' cadence too. Names each algorithm's default and what it runs under; null otherwise.
 */
export function sharedScheduleWarning(
  given: unknown,
  trials: readonly { spec: { sparsity: number; pruner: PrunerSpec } }[],
): string | null {
  if (given === undefined) return null;
  const used = new Map<string, PieceSpec>();
  for (const t of trials) if (t.spec.sparsity > 0) used.set(t.spec.pruner.name, t.spec.pruner.schedule);
  if (used.size < 2) return null;
  const defaults = [...used.keys()].map((name) => algorithms.get(name).defaultSchedule);
  if (new Set(defaults.map((d) => JSON.stringify(d))).size < 2) return null;
  const each = [...used]
    .map(([name, spec]) => `${name}: ${written(ownSchedule(name))} → ${written(spec)}`)
    .join('; ');
  return (
    `pruner.schedule applies to every pruner.name of this sweep, over each algorithm's own default schedule, and their defaults differ (default → used: ${each}); ` +
    'to give each algorithm its own schedule, list whole pruners instead: pruner: [{name: gmp, schedule: {interval: 20}}, {name: static}] (select one with fit-law --where pruner.name=gmp)'
  );
}
