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
  const left = trials.filter((t) => !(t.status === 'finished' && t.finalValLoss !== null));
  if (left.length === 0) return null;
  const counts = new Map<string, number>();
  for (const t of left) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const which = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  return (
    `${left.length} of the sweep's ${trials.length} trials ${left.length === 1 ? 'has' : 'have'} no final loss (${which}), so the fit uses the other ` +
    `${trials.length - left.length}; run the sweep again to finish them` +
    (counts.has('failed') ? ' (with --retry-failed for the failed ones)' : '')
  );
}

/** One `--optimal N=..,C=..` query. */
export interface OptimalQuery {
  N: number;
  C: number;
}
