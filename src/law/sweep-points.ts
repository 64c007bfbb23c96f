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

/** One `--optimal N=..,C=..` query. */
export interface OptimalQuery {
  N: number;
  C: number;
}
