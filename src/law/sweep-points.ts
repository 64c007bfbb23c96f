import type { TrialRecord } from '../store/types.js';
import type { LawPoint } from './types.js';

/**
 * The law's points from finished trials: S = sparsity measured from the final weights, N = non-zero
 * prunable parameters measured from them, D = tokens trained, loss = final validation loss.
 */
export function pointsFromTrials(trials: readonly TrialRecord[]): LawPoint[] {
  return trials
    .filter((t) => t.status === 'finished' && t.finalValLoss !== null)
    .map((t) => ({
      id: t.id,
      sparsity: t.achievedSparsity ?? t.sparsity,
      nonzeroParams: t.nonzeroParams ?? t.plannedNonzero,
      tokens: t.tokens ?? t.spec.steps * t.spec.batch_size * t.spec.seq_len,
      loss: t.finalValLoss as number,
      sizeGroup: t.nonzeroTarget,
    }));
}

/**
 * A warning when some of the trials a fit draws on have no final loss yet (pending, running, interrupted,
 * failed), naming how many of each; null when every one is finished. The fit then stands on part of the grid.
 */
export function unfinishedWarning(trials: readonly TrialRecord[]): string | null {
  const left = unfinished(trials);
  if (left.length === 0) return null;
  return (
    `${left.length} of the sweep's ${trials.length} trials ${left.length === 1 ? 'has' : 'have'} no final loss (${byStatus(left)}), so the fit uses the other ` +
    `${trials.length - left.length}; ${finishThem(left)}`
  );
}

/**
 * The error when none of the trials a fit draws on has finished (pending, running, interrupted, failed: how many
 * of each), so there is nothing to fit; null when one has, or when there are none (the selection says why).
 */
export function noneFinishedError(trials: readonly TrialRecord[]): string | null {
  const left = unfinished(trials);
  if (trials.length === 0 || left.length < trials.length) return null;
  const all = trials.length === 1 ? 'its one trial has not' : `none of its ${trials.length} trials has`;
  return `${all} finished (${byStatus(left)}), so there is nothing to fit yet; ${finishThem(left)}`;
}

/** The trials with no final loss yet. */
function unfinished(trials: readonly TrialRecord[]): TrialRecord[] {
  return trials.filter((t) => !(t.status === 'finished' && t.finalValLoss !== null));
}

/** How many trials of each status, in words: "1 failed, 1 interrupted, 6 pending". */
function byStatus(trials: readonly TrialRecord[]): string {
  const counts = new Map<string, number>();
  for (const t of trials) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

/** How to finish unfinished trials. */
function finishThem(left: readonly TrialRecord[]): string {
  return `run the sweep again to finish them${left.some((t) => t.status === 'failed') ? ' (with --retry-failed for the failed ones)' : ''}`;
}

/** One `--optimal N=..,C=..` query. */
export interface OptimalQuery {
  N: number;
  C: number;
}
