import type { TrialRecord } from './types.js';

/**
 * What `runs list --sort` orders by: each key's value of a trial, lowest first (`plan`: the plan's order), except
 * accuracy, highest first: the best trials lead as they do by loss.
 */
const SORT_VALUES = {
  plan: null,
  loss: (t: TrialRecord) => t.finalValLoss,
  accuracy: (t: TrialRecord) => (t.finalValAccuracy === null ? null : -t.finalValAccuracy),
  sparsity: (t: TrialRecord) => t.sparsity,
  nonzero_params: (t: TrialRecord) => t.nonzeroParams ?? t.plannedNonzero,
  tokens: (t: TrialRecord) => t.tokens ?? t.tokensTarget,
  seed: (t: TrialRecord) => t.seed,
  speed: (t: TrialRecord) => t.tokensPerSecond,
  wall: (t: TrialRecord) => t.wallSeconds,
} as const;

export type SortKey = keyof typeof SORT_VALUES;

/** The keys `runs list --sort` takes. */
export const SORT_KEYS = Object.keys(SORT_VALUES) as SortKey[];

/** The trials in `key`'s order, lowest first (stable: ties keep the plan's order); trials without a value go last. */
export function sortedTrials(trials: readonly TrialRecord[], key: SortKey | undefined): TrialRecord[] {
  const of = key === undefined ? null : SORT_VALUES[key];
  if (!of) return [...trials];
  const rank = (t: TrialRecord) => of(t) ?? Number.POSITIVE_INFINITY;
  return [...trials].sort((a, b) => rank(a) - rank(b));
}
