import { isPrunerAxis } from '../config/schema.js';
import { pooledSettings } from '../law/trial-selection.js';
import type { TrialRecord } from '../store/types.js';
import type { FinalPoint } from './points.js';
import type { ReportData, StoredFit } from './types.js';

/**
 * The trials a fit chose with `--where`, in words ("pruner.name=rigl, and the dense trials every pruner setting
 * shares"), or null when it was made from the whole sweep (or there is no fit).
 */
export function fitScope(fit: Pick<StoredFit, 'where'> | null | undefined): string | null {
  if (!fit || fit.where.length === 0) return null;
  const dense = fit.where.some((w) => isPrunerAxis(w.split('=')[0]))
    ? ', and the dense trials every pruner setting shares'
    : '';
  return `${fit.where.join(', ')}${dense}`;
}

/**
 * The trials `fit-law --exclude` left out of a fit, in words ("trial 43eb3dd3 was left out of it (fit-law
 * --exclude)"), or null when none were.
 */
export function excludedNote(fit: Pick<StoredFit, 'excluded'> | null | undefined): string | null {
  const ids = fit?.excluded ?? [];
  if (ids.length === 0) return null;
  const list = ids.map((id) => id.slice(0, 8)).join(', ');
  return `${ids.length === 1 ? `trial ${list} was` : `trials ${list} were`} left out of it (fit-law --exclude)`;
}

/**
 * The points a law is drawn through: those the fit was made from when it chose some with `--where` (a law of
 * one pruner drawn through every pruner's points would read as the whole study's) or left some out with
 * `--exclude`, else all of them.
 */
export function pointsOfFit(
  points: readonly FinalPoint[],
  fit: Pick<StoredFit, 'where' | 'inputs' | 'excluded'> | null | undefined,
): FinalPoint[] {
  if (!fitScope(fit) && !excludedNote(fit)) return [...points];
  const used = new Set(fit!.inputs);
  return points.filter((p) => used.has(p.id));
}

/**
 * The points a fit was made from, among `points` (a sweep grown or changed since the fit has others, which its
 * findings must not speak for); all of them for a fit that names none of its trials (one stored without inputs).
 */
export function fitOwnPoints(
  points: readonly FinalPoint[],
  fit: Pick<StoredFit, 'inputs'> | null | undefined,
): FinalPoint[] {
  if (!fit || fit.inputs.length === 0) return [...points];
  const used = new Set(fit.inputs);
  return points.filter((p) => used.has(p.id));
}

/**
 * The highest sparsity a fit was made from: of its trials in the sweep or still in the database (`trials`),
 * or, when it names none of them, the highest in `fallback`.
 */
export function fitTrainedUpTo(
  fit: Pick<StoredFit, 'inputs'>,
  trials: readonly Pick<TrialRecord, 'id' | 'sparsity'>[],
  fallback: number,
): number {
  const used = new Set(fit.inputs);
  const own = trials.filter((t) => used.has(t.id)).map((t) => t.sparsity);
  return own.length > 0 ? Math.max(...own) : fallback;
}

/** {@link fitTrainedUpTo} of each fit, from its trials in the sweep or still in the database, else from `points`. */
export function trainedUpTo(
  data: Pick<ReportData, 'trials' | 'fitTrialsOutside'>,
  points: readonly Pick<FinalPoint, 'sparsity'>[],
): (fit: Pick<StoredFit, 'inputs'>) => number {
  const trials = [...data.trials, ...(data.fitTrialsOutside ?? [])];
  const fallback = Math.max(0, ...points.map((p) => p.sparsity));
  return (fit) => fitTrainedUpTo(fit, trials, fallback);
}

/**
 * The settings of the sweep's other axes a fit pools (several pruners in one law), from its trials in the sweep,
 * or null when it pools none (see {@link pooledSettings}).
 */
export function fitPools(
  data: Pick<ReportData, 'trials' | 'sweep'>,
  fit: Pick<StoredFit, 'inputs'>,
): ReturnType<typeof pooledSettings> {
  const used = new Set(fit.inputs);
  return pooledSettings(
    data.trials.filter((t) => used.has(t.id)),
    data.sweep.axes,
  );
}
