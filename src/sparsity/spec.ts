import { z } from 'zod';
import { PathError, PathErrors } from '../errors.js';
import { describeZodIssue, getAt } from '../util/issues.js';
import { checkComposition } from './compat.js';
import { optionKeys } from './option-schema.js';
import { algorithms, distributions, patterns, schedules } from './registry.js';
import type { Pattern, PieceInfo } from './types.js';

/** A piece chosen by name with its options, fully resolved (defaults filled): plain JSON in a trial spec. */
export interface PieceSpec {
  name: string;
  [option: string]: unknown;
}

/** A pruner fully resolved for one trial: part of the trial spec and its hash. */
export interface PrunerSpec {
  /** Algorithm registry name. */
  name: string;
  options: Record<string, unknown>;
  pattern: PieceSpec;
  distribution: PieceSpec;
  schedule: PieceSpec;
}

const pieceRef = z.union([z.string(), z.looseObject({ name: z.string().optional() })]);

/** The `pruner:` block of a config, before resolution. */
export const prunerConfigSchema = z.strictObject({
  /** Algorithm; `gmp` is the paper's method. */
  name: z.string().default('gmp'),
  pattern: pieceRef.optional(),
  distribution: pieceRef.optional(),
  /** Overrides of the algorithm's default schedule (or a different schedule, by name). */
  schedule: pieceRef.optional(),
  options: z.record(z.string(), z.unknown()).default({}),
});
export type PrunerConfig = z.infer<typeof prunerConfigSchema>;

/** The spec every sparsity-0 trial gets, whatever pruner the sweep names: one shared dense baseline. */
export const DENSE_SPEC: PrunerSpec = {
  name: 'dense',
  options: {},
  pattern: { name: 'unstructured' },
  distribution: { name: 'uniform' },
  schedule: { name: 'none' },
};

/**
 * Resolves the `pruner:` block for a trial at `sparsity`: looks every piece up in its registry and lets
 * each parse its own options. Errors are {@link PathError}s located under `pruner`.
 */
export function resolvePrunerSpec(cfg: PrunerConfig, sparsity: number): PrunerSpec {
  // the block's pieces are checked independently, so one run names every unknown name or key in it
  const found: PathError[] = [];
  const attempt = <T>(resolve: () => T): T | undefined => {
    try {
      return resolve();
    } catch (e) {
      if (!(e instanceof PathError)) throw e;
      found.push(e);
      return undefined;
    }
  };
  const algorithm = attempt(() => lookup(() => algorithms.get(cfg.name), ['pruner', 'name']));
  const options = algorithm && attempt(() => parseOptions(algorithm, cfg.options, ['pruner', 'options']));
  const pattern = attempt(() => resolvePiece(cfg.pattern, { name: 'unstructured' }, patterns, 'pattern'));
  const distribution = attempt(() =>
    resolvePiece(cfg.distribution, { name: 'uniform' }, distributions, 'distribution'),
  );
  // without a known algorithm there is no default schedule: only a schedule named can be checked (options of the
  // default one would be judged against no schedule, a second error from the one typo in the name)
  const named = typeof cfg.schedule === 'string' || typeof cfg.schedule?.name === 'string';
  const schedule =
    algorithm || named
      ? attempt(() =>
          resolvePiece(cfg.schedule, algorithm?.defaultSchedule ?? { name: 'none' }, schedules, 'schedule'),
        )
      : undefined;
  if (found.length > 1) throw new PathErrors(found);
  if (found.length === 1) throw found[0];
  if (!algorithm || options === undefined || !pattern || !distribution || !schedule)
    throw new Error('pruner block resolved without its pieces'); // unreachable: every miss threw above
  if (sparsity === 0) return DENSE_SPEC;
  if (algorithm.name === 'dense') {
    throw new PathError(
      ['pruner', 'name'],
      `pruner "dense" trains dense models, but this trial asks for sparsity ${sparsity}; choose a pruning method (e.g. gmp) or sparsity 0`,
    );
  }
  const patternPiece = patterns.get(pattern.name);
  const completed = completePattern(patternPiece, pattern, sparsity);
  checkComposition({
    config: cfg,
    algorithm,
    options,
    pattern: patternPiece,
    patternSpec: completed,
    distribution,
    schedule: schedules.get(schedule.name),
    scheduleSpec: schedule,
    sparsity,
  });
  return {
    name: algorithm.name,
    options,
    pattern: completed,
    distribution: underSchedule(distribution, schedules.get(schedule.name)),
    schedule,
  };
}

/** A distribution's spec as a trial under `schedule` records it (see Distribution.underGradualSchedule). */
function underSchedule(spec: PieceSpec, schedule: { gradual?: boolean }): PieceSpec {
  const piece = distributions.get(spec.name);
  if (!schedule.gradual || !piece.underGradualSchedule) return spec;
  const { name, ...options } = spec;
  return { name, ...(piece.underGradualSchedule(options) as Record<string, unknown>) };
}

/** Lets a pattern fill options that follow from the sparsity (N:M's n). */
function completePattern(piece: Pattern<unknown>, spec: PieceSpec, sparsity: number): PieceSpec {
  if (!piece.complete) return spec;
  const { name, ...options } = spec;
  return { name, ...(piece.complete(options, sparsity) as Record<string, unknown>) };
}

function lookup<T>(get: () => T, path: (string | number)[]): T {
  try {
    return get();
  } catch (e) {
    throw new PathError(path, (e as Error).message);
  }
}

function parseOptions(
  piece: PieceInfo<unknown>,
  raw: unknown,
  path: (string | number)[],
): Record<string, unknown> {
  const r = piece.options.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const inner = [...path, ...issue.path] as (string | number)[];
    const valid = optionKeys(piece.options);
    const where = issue.code === 'unrecognized_keys' ? [...inner, issue.keys[0]] : inner;
    const value = getAt(raw, issue.path as (string | number)[]);
    const text = describeZodIssue(issue, value, valid).replace('it takes no keys', 'it takes no options');
    // pruner settings are checked per algorithm, after the sweep's axes are taken, so a list in place is not
    // an axis here: say how to sweep over one
    const hint =
      Array.isArray(value) && issue.code === 'invalid_type'
        ? `; to sweep over it, list it under sweep: as ${inner.join('.')}: ${JSON.stringify(value).slice(0, 40)}`
        : '';
    throw new PathError(where, `${piece.name}: ${text}${hint}`);
  }
  return r.data as Record<string, unknown>;
}

function resolvePiece(
  raw: string | { name?: string; [k: string]: unknown } | undefined,
  fallback: { name: string; [k: string]: unknown },
  registry: { get(name: string): PieceInfo<unknown> },
  key: 'pattern' | 'distribution' | 'schedule',
): PieceSpec {
  const given = typeof raw === 'string' ? { name: raw } : (raw ?? {});
  const name = given.name ?? fallback.name;
  // Same piece as the default: the config overrides some of its options; another piece: start afresh.
  const merged = name === fallback.name ? { ...fallback, ...given, name } : { ...given, name };
  const piece = lookup(
    () => registry.get(name),
    ['pruner', key, ...(typeof raw === 'string' ? [] : ['name'])],
  );
  const { name: _omit, ...opts } = merged;
  const options = parseOptions(piece, opts, ['pruner', key]);
  return { name, ...options };
}
