import { PathError } from '../errors.js';
import type { PieceSpec, PrunerConfig } from './spec.js';
import type { Algorithm, Pattern, Schedule } from './types.js';

/** The resolved pieces of one trial's pruner, with the config they came from (for error locations). */
export interface Composition {
  config: PrunerConfig;
  algorithm: Algorithm<unknown>;
  options: Record<string, unknown>;
  pattern: Pattern<unknown>;
  patternSpec: PieceSpec;
  distribution: PieceSpec;
  schedule: Schedule<unknown>;
  scheduleSpec: PieceSpec;
  sparsity: number;
}

const optionsOf = ({ name: _n, ...o }: PieceSpec) => o;
const list = (names: readonly string[]) => names.join(', ');

/**
 * Refuses combinations that cannot work (sr-ste with unstructured, N:M at a sparsity other than 1 − n/m,
 * RigL without a periodic schedule, ...) with a {@link PathError} naming the key and what is valid.
 */
export function checkComposition(c: Composition): void {
  const alg = c.algorithm;
  if (alg.patterns && !alg.patterns.includes(c.pattern.name)) {
    throw new PathError(
      ['pruner', 'pattern'],
      `pruner ${alg.name} works with pattern ${list(alg.patterns)}, not ${c.pattern.name}${c.config.pattern === undefined ? ' (the default)' : ''}`,
    );
  }
  if (alg.schedules && !alg.schedules.includes(c.schedule.name)) {
    throw new PathError(
      ['pruner', 'schedule'],
      `pruner ${alg.name} works with schedule ${list(alg.schedules)}, not ${c.schedule.name}`,
    );
  }
  if (c.schedule.patterns && !c.schedule.patterns.includes(c.pattern.name)) {
    throw new PathError(
      ['pruner', 'schedule'],
      `schedule ${c.schedule.name} works with pattern ${list(c.schedule.patterns)}, not ${c.pattern.name}`,
    );
  }
  const why = c.pattern.incompatibility?.(c.sparsity, c.distribution, optionsOf(c.patternSpec));
  if (why) throw new PathError(['pruner', 'pattern'], `pattern ${c.pattern.name}: ${why}`);
  // an option read under a gradual schedule only would otherwise give trials that train alike two ids
  if (c.distribution.gradual !== undefined && !c.schedule.gradual)
    throw new PathError(
      ['pruner', 'distribution', 'gradual'],
      `distribution ${c.distribution.name}: gradual is read under a gradual schedule (cubic, nm-staircase) only, not under ${c.schedule.name}; leave it out`,
    );
  const own = alg.incompatibility?.({ distribution: c.distribution, options: c.options });
  if (own) throw new PathError(['pruner', own.key], `pruner ${alg.name}: ${own.message}`);
}
