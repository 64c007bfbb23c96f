import { describeOptions, type OptionInfo } from './option-schema.js';
import { algorithms, distributions, patterns, schedules } from './registry.js';
import type { PieceInfo } from './types.js';

/** One piece as `sparsebench pruners` lists it: plain data. */
export interface PieceEntry {
  name: string;
  summary: string;
  options: OptionInfo[];
}

/** An algorithm with what it works with. */
export interface AlgorithmEntry extends PieceEntry {
  paper: string;
  default_schedule: { name: string; [k: string]: unknown };
  /** Registry names, or null for any. */
  patterns: string[] | null;
  schedules: string[] | null;
  needs_gradients: boolean;
  /** Whether a mask update takes the place of that step's optimizer update (SET, RigL, SRigL). */
  replaces_optimizer_step: boolean;
  /** 'hard' (weights zeroed after every step) or 'soft' (dense weights kept, straight-through). */
  mask_application: 'hard' | 'soft';
}

/** Every registered piece with its options and defaults, for `sparsebench pruners`. */
export interface PrunerCatalog {
  algorithms: AlgorithmEntry[];
  patterns: PieceEntry[];
  distributions: PieceEntry[];
  schedules: (PieceEntry & { patterns: string[] | null })[];
}

const entry = (p: PieceInfo<unknown>): PieceEntry => ({
  name: p.name,
  summary: p.summary,
  options: describeOptions(p.options),
});

/** The catalog of every algorithm, pattern, distribution and schedule, in registry order. */
export function prunerCatalog(): PrunerCatalog {
  return {
    algorithms: algorithms.all().map((a) => ({
      ...entry(a),
      paper: a.paper,
      default_schedule: a.defaultSchedule,
      patterns: a.patterns ? [...a.patterns] : null,
      schedules: a.schedules ? [...a.schedules] : null,
      needs_gradients: a.needsGradients,
      replaces_optimizer_step: a.skipsOptimizerOnUpdate ?? false,
      mask_application: a.application?.mode ?? 'hard',
    })),
    patterns: patterns.all().map(entry),
    distributions: distributions.all().map(entry),
    schedules: schedules.all().map((s) => ({ ...entry(s), patterns: s.patterns ? [...s.patterns] : null })),
  };
}
